/**
 * One draw per animation frame, however many updates arrive in between.
 */

export interface IFrameClock {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

/** The browser's clock: `requestAnimationFrame`. */
export const animationFrames: IFrameClock = {
  request: callback => requestAnimationFrame(() => callback()),
  cancel: handle => cancelAnimationFrame(handle)
};

export class FrameScheduler {
  constructor(
    private readonly draw: () => void,
    private readonly clock: IFrameClock = animationFrames
  ) {}

  /** Draws at the next frame (once, however often it is called before then). */
  schedule(): void {
    if (this.handle === null && !this.disposed) {
      this.handle = this.clock.request(() => {
        this.handle = null;
        this.draw();
      });
    }
  }

  /** Draws now if a draw is scheduled (and cancels the scheduled one). */
  flush(): void {
    if (this.handle !== null) {
      this.clock.cancel(this.handle);
      this.handle = null;
      this.draw();
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.handle !== null) {
      this.clock.cancel(this.handle);
      this.handle = null;
    }
  }

  private handle: number | null = null;
  private disposed = false;
}
