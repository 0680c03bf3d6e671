/** Every command the extension adds. */
export namespace CommandIDs {
  export const openPanel = 'workbench:open-panel';
  export const refresh = 'workbench:refresh';
  export const cycleCompileMode = 'workbench:cycle-compile-mode';
}
