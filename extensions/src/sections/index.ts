import { checkpointsSection } from './checkpoints';
import { devicesSection } from './devices';
import { jobsSection } from './jobs';
import { profilesSection } from './profiles';
import { runsSection } from './runs';
import { ISection } from './section';
import { versionsSection } from './versions';

export type { ISection, ISectionView } from './section';
export { SectionView } from './section';

/**
 * The side panel's sections, top to bottom. A new capability (jobs,
 * profiles) adds its module beside these and one line here.
 */
export const SECTIONS: readonly ISection[] = [
  versionsSection,
  devicesSection,
  runsSection,
  checkpointsSection,
  profilesSection,
  jobsSection
];
