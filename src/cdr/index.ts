// Call detail records: one per call, in cdr.db (docs/api.md#call-records).
export { CALL_RESULTS, recordOf, resultOf, mediaSummary, type CallRecord, type CallResult, type LegSummary, type StreamSummary } from './record.js';
export { CdrStore, type CdrBucket, type CdrQuery, type StoredCallRecord } from './store.js';
export { CdrRecorder, type CallSource } from './recorder.js';
