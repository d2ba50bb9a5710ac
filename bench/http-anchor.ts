import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';

/**
 * The bench's anchors, run as their own process: node:http + better-sqlite3 (WAL, `synchronous=FULL`)
 * storing each POSTed JSON body as one row, with either one transaction per request (`per-request`)
 * or one transaction per event-loop turn for every request that arrived in it (`group`). No
 * validation, authentication or hash chain: the floor of what a durable write over HTTP costs here.
 * `node dist/bench/http-anchor.js FILE per-request|group` prints its URL on the first stdout line.
 */
const [file, mode] = [process.argv[2], process.argv[3]];
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS events (global_position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, data TEXT NOT NULL, recorded_at TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO events (event_id, data, recorded_at) VALUES (?, ?, ?)');
const insertOne = (body: string): number => Number(insert.run(uuidv7(), body, new Date().toISOString()).lastInsertRowid);

const answer = (response: ServerResponse, position: number): void => {
  response.writeHead(201, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ position }));
};

let queue: Array<{ body: string; response: ServerResponse }> = [];
const commitTurn = db.transaction((items: typeof queue) => items.map((item) => insertOne(item.body)));
const flush = (): void => {
  const items = queue;
  queue = [];
  const positions = commitTurn.immediate(items);
  items.forEach((item, i) => answer(item.response, positions[i]));
};
const commitOne = db.transaction((body: string) => insertOne(body));

const handle = (request: IncomingMessage, response: ServerResponse, body: string): void => {
  if (request.method !== 'POST') {
    response.writeHead(405).end();
    return;
  }
  const text = JSON.stringify(JSON.parse(body));
  if (mode === 'group') {
    if (queue.length === 0) setImmediate(flush);
    queue.push({ body: text, response });
  } else {
    answer(response, commitOne.immediate(text));
  }
};

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  process.stdout.write(`http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => db.close()));
