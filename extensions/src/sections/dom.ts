import { IDeviceInfo } from '../protocol';
import { shortDeviceName } from '../format';

/** A grey line of explanation. */
export function note(text: string): HTMLElement {
  const element = document.createElement('p');
  element.className = 'jp-Workbench-note';
  element.textContent = text;
  return element;
}

/** A sub-heading inside a section. */
export function subheading(text: string): HTMLElement {
  const element = document.createElement('h4');
  element.textContent = text;
  return element;
}

/** Name/value rows (`<dl>`), e.g. versions. */
export function definitions(rows: [string, string][]): HTMLElement {
  const list = document.createElement('dl');
  list.className = 'jp-Workbench-versions';
  for (const [name, value] of rows) {
    list.appendChild(document.createElement('dt')).textContent = name;
    list.appendChild(document.createElement('dd')).textContent = value;
  }
  return list;
}

/** Devices by short name, their full name on hover and their type as data. */
export function deviceList(devices: IDeviceInfo[]): HTMLElement {
  const list = document.createElement('ul');
  for (const device of devices) {
    const item = list.appendChild(document.createElement('li'));
    item.className = 'jp-Workbench-device';
    item.dataset.deviceType = device.device_type;
    item.title = device.name;
    item.textContent = shortDeviceName(device.name);
  }
  return list;
}
