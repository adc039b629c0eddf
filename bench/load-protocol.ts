/** Messages between the benchmark and its load generator thread (bench/load-worker.ts). */

export interface LoadWorkerData {
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
  /** Where to send: an app's `/slack/events`. */
  eventsUrl: string;
  /** Names the app in response ids (`<app>-<sequence>`) and errors. */
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
