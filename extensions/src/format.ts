import { IDeviceInfo, IRunInfo, WireFloat } from './protocol';

/** `/physical_device:CPU:0` -> `CPU:0`; keeps names it does not recognise. */
export function shortDeviceName(name: string): string {
  const match = /\/(?:physical_)?device:(.+)$/.exec(name);
  return match?.[1] ?? name;
}

/** Devices grouped by type, in the order TensorFlow lists them: `{CPU: [...], GPU: [...]}`. */
export function groupByType(
  devices: IDeviceInfo[]
): Map<string, IDeviceInfo[]> {
  const groups = new Map<string, IDeviceInfo[]>();
  for (const device of devices) {
    const group = groups.get(device.device_type) ?? [];
    group.push(device);
    groups.set(device.device_type, group);
  }
  return groups;
}

/** One line for a device group, e.g. `2 virtual CPU devices on 1 physical CPU`. */
export function summarize(
  physical: IDeviceInfo[],
  logical: IDeviceInfo[] | null
): string {
  const parts: string[] = [];
  for (const [type, devices] of groupByType(physical)) {
    const split = logical?.filter(d => d.device_type === type).length ?? 0;
    const base = `${devices.length} ${type}`;
    parts.push(
      split > devices.length ? `${split} logical ${type} on ${base}` : base
    );
  }
  return parts.length ? parts.join(', ') : 'no devices';
}

/**
 * A metric value as people read it: 4 significant digits, no trailing zeros.
 * A non-finite value arrives as the string 'NaN', 'inf' or '-inf' (JSON has
 * no such numbers) and is shown as it came.
 */
export function formatFloat(value: WireFloat): string {
  if (typeof value === 'string') {
    return value;
  }
  return String(Number(value.toPrecision(4)));
}

/** One line for a run: `name · state · 120 steps · loss 0.1234, mae 0.3 · 1 warning`. */
export function formatRun(run: IRunInfo): string {
  const parts = [run.name, run.state];
  if (run.steps) {
    parts.push(`${run.steps} steps`);
  }
  const latest = Object.entries(run.last)
    .map(([metric, value]) => `${metric} ${formatFloat(value)}`)
    .join(', ');
  if (latest) {
    parts.push(latest);
  }
  // The warnings themselves (file, byte offset) are long: the item's tooltip has them.
  const warnings = run.warnings.length;
  if (warnings) {
    parts.push(warnings === 1 ? '1 warning' : `${warnings} warnings`);
  }
  return parts.join(' · ');
}
