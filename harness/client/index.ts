/** Public API of the simulated client: one garou protocol client per connection, many per endpoint. */
export { SimClient, type ClientContext, type ClientState } from './sim-client.js';
export { FULL_DECODE_EVERY } from './server-stream-reader.js';
export { FULL_MEMBERSHIP_DECODE_EVERY, type RoomInitHead } from './membership-frames.js';
export {
  CONNECT_FAILURE_TEXT,
  classifyClose,
  describeClose,
  type ConnectFailure,
  type ConnectFailureReason,
} from './connect-failure.js';
export { IgnoreClientEvents, type ClientEvents } from './client-events.js';
export { HoldTimer, type HoldOwner } from './hold-timer.js';
export { RoomSwitchOrder, type OrderedDeliverySink } from './room-switch-order.js';
export {
  classifyServerStream,
  serverUniStreamIndex,
  shardOfRoom,
  shardStreamId,
  type ServerStreamRole,
} from './server-streams.js';
export { createUploadJob, uploadBodyFrames, uploadContent, type UploadJob } from './upload-job.js';
