// Starts the fake Polygon server (a real WebSocket + HTTP server, scripts/fake-polygon.ts) for the live tests.
import { startFakePolygon } from "../../scripts/fake-polygon";

export default async function setup() {
  const server = await startFakePolygon({ port: Number(process.env.FAKE_POLYGON_PORT), apiKey: "demo", scenario: "steady", tickMs: 50 });
  return async () => server.close();
}
