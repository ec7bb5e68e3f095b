/** One entry for every importer (pure): the file's text in, validated rows and rejections out. */
import type { ImportKind } from "../../../schemas";
import { parseBarsCsv } from "./bars";
import { parseCongress } from "./congress";
import { parseMacro } from "./macro";
import { parseSentiment } from "./sentiment";

export type { Parsed } from "./common";
export type ParseOptions = { symbol?: string };

export function parseImport(kind: ImportKind, text: string, opts: ParseOptions = {}) {
  switch (kind) {
    case "bars":
      return { kind, ...parseBarsCsv(text, { symbol: opts.symbol }) } as const;
    case "congress":
      return { kind, ...parseCongress(text) } as const;
    case "macro":
      return { kind, ...parseMacro(text) } as const;
    case "sentiment":
      return { kind, ...parseSentiment(text) } as const;
  }
}
export type ParsedImport = ReturnType<typeof parseImport>;
