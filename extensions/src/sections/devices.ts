import { summarize } from '../format';
import { ISystemStatus } from '../protocol';
import { deviceList, note, subheading } from './dom';
import { ISection, SectionView } from './section';

/** Physical and logical devices of the kernel's TensorFlow (`status`). */
export const devicesSection: ISection = {
  id: 'devices',
  title: 'Devices',
  mount(node, service, trans) {
    const render = (status: ISystemStatus | null) => {
      if (!status) {
        node.replaceChildren(note(trans.__('Asking the kernel…')));
        return;
      }
      if (status.tensorflow === null) {
        // Listing devices needs TensorFlow, which the kernel imports only when
        // a cell does; the `status` topic publishes again then.
        node.replaceChildren(
          note(
            trans.__(
              'TensorFlow is not loaded yet: its devices show once a cell imports it.'
            )
          )
        );
        return;
      }
      const { physical_devices: physical, logical_devices: logical } = status;
      node.replaceChildren(
        note(summarize(physical, logical)),
        subheading(trans.__('Physical')),
        deviceList(physical),
        ...(logical
          ? [subheading(trans.__('Logical')), deviceList(logical)]
          : [
              // Listing logical devices would start the runtime, after which
              // they can no longer be split: the kernel sends null instead.
              note(
                trans.__(
                  "TensorFlow's runtime has not started: devices can still be split, e.g. workbench.virtual_devices(4)."
                )
              )
            ])
      );
    };
    const view = new SectionView(async () =>
      render(await service.request('status', {}))
    );
    render(null);
    view.add(service.subscribe('status', render));
    return view;
  }
};
