/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that a summary needs. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  /** Node id sampled at each tick. */
  readonly samples: readonly number[];
  /** Microseconds since the previous sample, one per sample. */
  readonly timeDeltas: readonly number[];
}

export interface HotSpot {
  /** `function (file:line)`, the file relative to node_modules or the repo where it can be. */
  readonly frame: string;
  /** Share of the profile's samples spent in this frame itself (not its callees), 0..1. */
  readonly self: number;
}

export interface ProfileSummary {
  readonly seconds: number;
  /** Share of samples not idle ((idle), (program) and (garbage collector) apart). */
  readonly busy: number;
  readonly gc: number;
  /** Self-time by package (node_modules/<pkg>), by the project's own file, or by Node internals. */
  readonly byOwner: readonly HotSpot[];
  readonly top: readonly HotSpot[];
}

const IDLE = new Set(['(idle)', '(program)']);

/** Where a frame's code lives: a package name, a project path, `node:internal` or the frame's own name. */
export function owner(url: string, functionName: string): string {
  if (url === '') return functionName === '' ? '(native)' : `(${functionName.replace(/[()]/g, '')})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node:internal';
  const own = /\/dist\/((?:apps|libs)\/[^/]+)\//.exec(url);
  return own ? own[1] : url.slice(url.lastIndexOf('/') + 1);
}

const shortFile = (url: string): string => {
  const pkg = url.lastIndexOf('node_modules/');
  if (pkg >= 0) return url.slice(pkg + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + '/dist/'.length) : url.replace(/^file:\/\//, '');
};

/** Self-time of a CPU profile by frame and by owner, as shares of all samples; the `limit` hottest frames. */
export function summarizeCpuProfile(profile: CpuProfile, limit = 12): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFrame = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  let micros = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    micros += dt;
    const frame = nodes.get(id);
    if (!frame) return;
    if (IDLE.has(frame.functionName)) {
      idle += dt;
      return;
    }
    if (frame.functionName === '(garbage collector)') gc += dt;
    const name = frame.url
      ? `${frame.functionName || '(anonymous)'} (${shortFile(frame.url)}:${frame.lineNumber + 1})`
      : frame.functionName || '(native)';
    byFrame.set(name, (byFrame.get(name) ?? 0) + dt);
    const who = owner(frame.url, frame.functionName);
    byOwner.set(who, (byOwner.get(who) ?? 0) + dt);
  });
  const total = micros || 1;
  const ranked = (m: Map<string, number>, n: number): HotSpot[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([frame, t]) => ({ frame, self: t / total }));
  return {
    seconds: micros / 1e6,
    busy: (micros - idle) / total,
    gc: gc / total,
    byOwner: ranked(byOwner, limit),
    top: ranked(byFrame, limit),
  };
}
