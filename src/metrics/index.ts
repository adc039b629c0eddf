/** Prometheus metrics: one registry per app instance (metrics.ts). */
export {
  createMetrics,
  METRIC_NAMES,
  METRICS_CONTENT_TYPE,
  type AnswerOutcome,
  type CallResult,
  type JobOutcome,
  type Metrics,
  type PayloadKind,
  type ScrapeReaders,
} from './metrics';
