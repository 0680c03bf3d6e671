/**
 * Messages on the `workbench` comm target. Mirrors `workbench/_protocol.py`
 * field for field; `tests/unit/test_protocol_mirror.py` keeps the two in step.
 */

export const COMM_TARGET = 'workbench';
export const PROTOCOL_VERSION = 1;

export interface IDeviceInfo {
  name: string;
  device_type: string;
}

export interface IStatusResult {
  workbench: string;
  python: string;
  tensorflow: string;
  keras: string;
  physical_devices: IDeviceInfo[];
  /** `null` until TensorFlow's runtime has started: listing them would start it. */
  logical_devices: IDeviceInfo[] | null;
}

export type CompileMode = 'eager' | 'function' | 'xla';

/** A training run the kernel wrote, or found in a logdir it wrote to. */
export interface IRunInfo {
  name: string;
  logdir: string | null;
  /** running, finished, interrupted, failed; "unreadable" when its files cannot be read. */
  state: string;
  steps: number;
  last: Record<string, number>;
}

/** A kernel's status over the comm: the above plus how its cells compile and its runs. */
export interface IKernelStatus extends IStatusResult {
  /** For cells without `%%compile`. */
  compile_mode: CompileMode;
  /** Every tf.function runs eagerly. */
  tf_debug: boolean;
  runs: IRunInfo[];
}

export type Method = 'status';

export interface IRequest {
  id: number;
  method: Method;
}

export interface IErrorBody {
  message: string;
}

export interface IReply {
  id: number;
  result?: IKernelStatus;
  error?: IErrorBody;
}

export interface IEvent {
  event: 'status';
  data: IKernelStatus;
}
