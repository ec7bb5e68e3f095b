-- Full-text index of the knowledge base (hand-written: drizzle cannot declare FTS5 virtual tables).
-- External-content table over knowledge_docs, kept in sync by triggers, so the text is stored once.
-- Porter stemming lets "expires" find "expiry" passages; bm25() ranks what retrieval returns.
CREATE VIRTUAL TABLE `knowledge_fts` USING fts5(title, body, tags, content='knowledge_docs', content_rowid='rowid', tokenize='porter unicode61');
--> statement-breakpoint
CREATE TRIGGER `knowledge_docs_ai` AFTER INSERT ON `knowledge_docs` BEGIN
  INSERT INTO knowledge_fts(rowid, title, body, tags) VALUES (new.rowid, new.title, new.body, new.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_docs_ad` AFTER DELETE ON `knowledge_docs` BEGIN
  INSERT INTO knowledge_fts(knowledge_fts, rowid, title, body, tags) VALUES ('delete', old.rowid, old.title, old.body, old.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_docs_au` AFTER UPDATE ON `knowledge_docs` BEGIN
  INSERT INTO knowledge_fts(knowledge_fts, rowid, title, body, tags) VALUES ('delete', old.rowid, old.title, old.body, old.tags);
  INSERT INTO knowledge_fts(rowid, title, body, tags) VALUES (new.rowid, new.title, new.body, new.tags);
END;
