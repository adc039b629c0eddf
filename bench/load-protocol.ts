/** Messages between the benchmark and its load generator thread (bench/load-worker.ts). */

export interface LoadWorkerData {
  /** Events URL of each app under test, by name. */
  eventsUrls: Record<string, string>;
  signingSecret: string;
  teamId: string;
  apiAppId: string;
  /** A response_url with `RESPONSE_ID` where the response id goes. */
  responseUrlTemplate: string;
  /** Prefix of every trigger_id of this run. */
  runId: string;
}

export interface LoadBlockRequest {
  id: number;
  app: string;
  text: string;
  count: number;
  concurrency: number;
  /** Sequence number of the first request (trigger_id and response id). */
  firstSequence: number;
}

export interface LoadBlockResult {
  /** Client-side ack latencies, ms, in start order. */
  latencies: number[];
  /** Response ids and when each request was sent (Date.now()). */
  sent: { responseId: string; sentAt: number }[];
}

export type LoadWorkerReply = { id: number; ok: true; result: LoadBlockResult } | { id: number; ok: false; error: string };
