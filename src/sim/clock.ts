// A device's wall clock over simulated time: `offset + (1 + skew) * simNow`; faults set both.
// Real phones drift and get corrected; conflict policies that trust clocks must face that.

export interface DeviceClockSettings {
  offsetMs: number;
  /** Fractional rate error: 0.001 runs 0.1 % fast. */
  skew: number;
}

export class DeviceClock {
  private offsetMs: number;
  private skew: number;

  constructor(settings: DeviceClockSettings = { offsetMs: 0, skew: 0 }) {
    this.offsetMs = settings.offsetMs;
    this.skew = settings.skew;
  }

  /** The device's reading at simulated time `simNowMs`, in whole milliseconds. */
  read(simNowMs: number): number {
    return Math.round(this.offsetMs + (1 + this.skew) * simNowMs);
  }

  /** Sets offset and skew at once, as a clock fault starts or an NTP correction heals it. */
  set(settings: DeviceClockSettings): void {
    this.offsetMs = settings.offsetMs;
    this.skew = settings.skew;
  }

  settings(): DeviceClockSettings {
    return { offsetMs: this.offsetMs, skew: this.skew };
  }
}
