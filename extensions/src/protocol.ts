/**
 * Messages on the `workbench` comm target. Mirrors `workbench/_protocol.py`
 * field for field, and `IMethods` / `ITopics` mirror the methods and topics
 * the kernel registers; `tests/unit/test_protocol_mirror.py` keeps them in step.
 */

export const COMM_TARGET = 'workbench';
export const PROTOCOL_VERSION = 2;

/** JSON has no NaN or infinity: a non-finite float travels as one of these. */
export type NonFinite = 'NaN' | 'inf' | '-inf';
export type WireFloat = number | NonFinite;

// --- the envelope ---------------------------------------------------------

export interface IOpenData {
  protocol: number;
}

export interface IRequest {
  id: number;
  method: string;
  params?: Record<string, unknown>;
}

export type ErrorCode =
  'bad_request' | 'unknown_method' | 'bad_params' | 'failed' | 'too_large';

export interface IErrorBody {
  code: ErrorCode;
  message: string;
  method: string | null;
}

export interface IReply {
  id: number | null;
  result?: unknown;
  error?: IErrorBody;
}

export interface IEvent {
  topic: string;
  data: unknown;
}

// --- domain and result types ----------------------------------------------

export interface IDeviceInfo {
  name: string;
  device_type: string;
}

/**
 * Versions and devices of the kernel's process. `tensorflow` and `keras` are
 * null until the user's code imports TensorFlow (the kernel never loads it for
 * the panel: show "not loaded yet"), and `physical_devices` is empty until
 * then; the `status` topic publishes again once a cell imports it.
 */
export interface ISystemStatus {
  workbench: string;
  python: string;
  tensorflow: string | null;
  keras: string | null;
  physical_devices: IDeviceInfo[];
  /** `null` until TensorFlow's runtime has started: listing them would start it. */
  logical_devices: IDeviceInfo[] | null;
}

export type CompileMode = 'eager' | 'function' | 'xla';

/** How cells without `%%compile` run, and whether tf.functions run eagerly. */
export interface ICompileState {
  mode: CompileMode;
  tf_debug: boolean;
}

/** A method that takes no parameters: only `{}` fits. */
export type INoParams = Record<string, never>;

export interface ISubscribeParams {
  topics: string[];
}

export interface ISubscribeResult {
  topics: string[];
}

export interface IServiceDescription {
  protocol: number;
  methods: string[];
  topics: string[];
}

/** A training run the kernel wrote, or found in a logdir it wrote to. */
export interface IRunInfo {
  name: string;
  logdir: string | null;
  /** running, finished, interrupted, failed; "unreadable" when its files cannot be read. */
  state: string;
  steps: number;
  last: Record<string, WireFloat>;
  /** What could not be read: an unreadable run's reason, a damaged file's lost records. */
  warnings: string[];
}

export interface IRunsParams {
  logdir?: string;
}

export interface IRunsUpdate {
  runs: IRunInfo[];
}

/** The newest checkpoint of a folder the kernel saved to or resumed from. */
export interface ICheckpointInfo {
  folder: string;
  /** ckpt-<step> */
  name: string;
  step: number;
  epoch: number;
  /** Seconds since the epoch, when it was saved. */
  time: number;
  /** Bytes. */
  size: number;
  /** Checkpoints kept in the folder. */
  count: number;
  /** Checkpoints set aside as damaged. */
  damaged: number;
  /** The live-curves run it fed. */
  run: string | null;
}

export interface ICheckpointsUpdate {
  checkpoints: ICheckpointInfo[];
}

/** A profiler capture found in one of the notebook's logdirs. */
export interface IProfileInfo {
  /** As TensorBoard's profile plugin names it: "<run>/<time>". */
  name: string;
  /** The capture's folder: what `profiles.open` takes. */
  folder: string;
  run: string;
  when: string;
  /** The steps captured ("11-15"), when known. */
  steps: string | null;
  size: number;
  /** What made it: "fit", "loop", "profile", "" (another tool). */
  source: string;
  /** The verdict's headline, for captures the kernel has read. */
  verdict: string | null;
}

/** A capture under way. */
export interface IPendingCapture {
  label: string;
  /** capturing, converting */
  state: string;
}

export interface IProfilesParams {
  logdir?: string;
}

export interface IProfilesUpdate {
  captures: IProfileInfo[];
  pending: IPendingCapture[];
}

export interface IProfileOpenParams {
  folder: string;
}

/** A timeline view of the capture: a widget model of the notebook's kernel. */
export interface IProfileOpenResult {
  model_id: string;
  title: string;
  verdict: string;
}

/** One worker of a launched job. */
export interface IWorkerInfo {
  /** "worker 0", "chief", "ps 0" */
  key: string;
  /** "worker", "chief", "ps (serves)" */
  role: string;
  pid: number | null;
  /** starting, running, serving, finished, failed, killed, hung, stopped */
  state: string;
  step: number;
  latest: Record<string, WireFloat>;
  last_line: string;
  /** Why it failed, one sentence ("" when it did not). */
  problem: string;
  /** Its last lines (the job's live view only). */
  tail?: string[];
}

/** A job `workbench.launch` started in the kernel. */
export interface IJobInfo {
  id: string;
  name: string;
  /** "local", "ray" */
  backend: string;
  /** starting, running, finished, failed, cancelled */
  state: string;
  elapsed: number;
  run: string | null;
  error: string;
  workers: IWorkerInfo[];
}

/** The kernel's devices and its jobs, oldest first. */
export interface IJobsUpdate {
  devices: IDeviceInfo[];
  jobs: IJobInfo[];
}

export interface IJobCancelParams {
  id: string;
}

// --- what the kernel registers --------------------------------------------

/** Method name -> its params and result. */
export interface IMethods {
  describe: { params: INoParams; result: IServiceDescription };
  subscribe: { params: ISubscribeParams; result: ISubscribeResult };
  unsubscribe: { params: ISubscribeParams; result: ISubscribeResult };
  status: { params: INoParams; result: ISystemStatus };
  'compile.state': { params: INoParams; result: ICompileState };
  'runs.list': { params: IRunsParams; result: IRunsUpdate };
  'profiles.list': { params: IProfilesParams; result: IProfilesUpdate };
  'profiles.open': { params: IProfileOpenParams; result: IProfileOpenResult };
  'jobs.list': { params: INoParams; result: IJobsUpdate };
  'jobs.cancel': { params: IJobCancelParams; result: IJobInfo };
  'checkpoints.list': { params: INoParams; result: ICheckpointsUpdate };
}

/** Topic name -> the data of its events. */
export interface ITopics {
  status: ISystemStatus;
  compile: ICompileState;
  runs: IRunsUpdate;
  profiles: IProfilesUpdate;
  jobs: IJobsUpdate;
  checkpoints: ICheckpointsUpdate;
}

export type MethodName = keyof IMethods;
export type TopicName = keyof ITopics;
