/**
 * GpuContext: one WebGPU device plus what every layer above needs from it - its limits, its
 * optional features, and errors turned into exceptions. WebGPU reports most failures
 * asynchronously (an `uncapturederror` event, a `lost` promise); the context records them and
 * throws at the next synchronisation point, so a broken kernel can never pass silently as a
 * console warning.
 *
 * Acquire one with `createNodeContext` (src/gpu/node.ts) or `createBrowserContext`
 * (src/gpu/browser.ts); this file itself works in both.
 */
import { GpuError } from '../errors.js';

/** Features pathwise uses when the adapter offers them; none is required. */
const OPTIONAL_FEATURES: GPUFeatureName[] = ['timestamp-query', 'subgroups', 'shader-f16'];

/** Limits raised to the adapter's maximum, so large batches fit where the hardware allows. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
] as const;

/** A GPU resource that can be released (buffers, tensors). */
export interface Destroyable {
  destroy(): void;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export class GpuContext {
  readonly device: GPUDevice;
  readonly adapterInfo: AdapterDescription;
  readonly features: ReadonlySet<string>;
  private pendingErrors: string[] = [];
  private lostMessage: string | null = null;
  private destroyed = false;
  private readonly collectors = new Set<Destroyable[]>();
  private collecting: Promise<unknown> = Promise.resolve();

  private constructor(device: GPUDevice, info: AdapterDescription, owned = true) {
    this.device = device;
    this.adapterInfo = info;
    this.features = new Set(device.features);
    device.addEventListener('uncapturederror', (event) => {
      // Thrown at the next check instead of printed: keep the default console report away (on a
      // device of our own; a page's device keeps reporting its other users' errors as it did).
      if (owned) event.preventDefault();
      this.pendingErrors.push((event as GPUUncapturedErrorEvent).error.message);
    });
    void device.lost.then((info) => {
      if (!this.destroyed) this.lostMessage = `${info.reason}: ${info.message}`;
    });
  }

  /** Requests a device from `adapter` with the optional features it has and its largest limits. */
  static async fromAdapter(adapter: GPUAdapter): Promise<GpuContext> {
    const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
    const requiredLimits: Record<string, number> = {};
    for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
    const device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'pathwise' });
    const info = adapter.info;
    const description: AdapterDescription = {
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      device: info?.device ?? '',
      description: info?.description ?? '',
    };
    return new GpuContext(device, description);
  }

  /**
   * A context over a device the page or host application already has (the browser entry of the
   * library). Its limits and features are what that device was created with: pathwise asks for
   * the adapter's largest limits on its own devices, and a device with WebGPU's default limits
   * (8 storage buffers per stage, 128 MiB bindings) refuses the larger programs by name.
   */
  static fromDevice(device: GPUDevice): GpuContext {
    const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    const description = { vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', device: info?.device ?? '', description: info?.description ?? '' };
    return new GpuContext(device, description, false);
  }

  /** Registers a GPU resource with every `collect` in progress (tensors and uniforms do). */
  track(resource: Destroyable): void {
    for (const owner of this.collectors) owner.push(resource);
  }

  /**
   * Runs `build` and returns, with its value, every resource created meanwhile, so that an owner
   * (a training run of the library API) can destroy them together. Collections on one context
   * run one after another (overlapping ones would take each other's resources); `build` must
   * not collect itself.
   */
  collect<T>(build: () => Promise<T>): Promise<{ value: T; resources: Destroyable[] }> {
    const run = async () => {
      const resources: Destroyable[] = [];
      this.collectors.add(resources);
      try {
        return { value: await build(), resources };
      } catch (e) {
        // A failed build leaves nothing behind.
        for (const r of resources) r.destroy();
        throw e;
      } finally {
        this.collectors.delete(resources);
      }
    };
    const next = this.collecting.then(run, run);
    this.collecting = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs `build`; if it throws, destroys every resource created meanwhile (they stay with any
   * `collect` in progress too; destroying twice is harmless). Unlike `collect` it nests, so an
   * algorithm can try one construction and fall back to another inside a collected run.
   */
  async discardOnFailure<T>(build: () => Promise<T>): Promise<T> {
    const resources: Destroyable[] = [];
    this.collectors.add(resources);
    try {
      return await build();
    } catch (e) {
      for (const r of resources) r.destroy();
      throw e;
    } finally {
      this.collectors.delete(resources);
    }
  }

  /** Creates resources that outlive any one owner (per-device caches): no `collect` takes them. */
  persistent<T>(create: () => T): T {
    const owners = [...this.collectors];
    this.collectors.clear();
    try {
      return create();
    } finally {
      for (const o of owners) this.collectors.add(o);
    }
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  get queue(): GPUQueue {
    return this.device.queue;
  }

  /** A short human-readable adapter name for logs and benchmark files. */
  get adapterName(): string {
    const { vendor, architecture, device, description } = this.adapterInfo;
    return [description || device, vendor, architecture].filter((s) => s.length > 0).join(' / ') || 'unknown adapter';
  }

  /** A CPU implementation (lavapipe/llvmpipe, SwiftShader): about 1000x slower than a GPU. */
  get isSoftware(): boolean {
    const { vendor, architecture, description, device } = this.adapterInfo;
    return /software|cpu/i.test(architecture) || /llvmpipe|lavapipe|swiftshader/i.test(`${vendor} ${architecture} ${description} ${device}`);
  }

  hasFeature(name: GPUFeatureName): boolean {
    return this.features.has(name);
  }

  /** Throws if the device was lost or reported an error since the last check. */
  check(where = 'GPU'): void {
    if (this.lostMessage !== null) throw new GpuError(`${where}: GPU device lost (${this.lostMessage})`);
    if (this.pendingErrors.length > 0) {
      const errors = this.pendingErrors.splice(0);
      throw new GpuError(`${where}: ${errors.join('; ')}`);
    }
  }

  /**
   * Runs `create` inside validation and out-of-memory error scopes and throws a GpuError naming
   * `what` if either caught something. Used around pipeline, bind-group and buffer creation.
   */
  async scoped<T>(what: string, create: () => T): Promise<T> {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    let result: T;
    try {
      result = create();
    } finally {
      const validation = await this.device.popErrorScope();
      const oom = await this.device.popErrorScope();
      const error = validation ?? oom;
      if (error) throw new GpuError(`${what}: ${error.message}`);
    }
    return result;
  }

  /** Waits until all submitted work finished, then throws any error it produced. */
  async sync(where = 'GPU'): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.check(where);
  }

  destroy(): void {
    this.destroyed = true;
    this.device.destroy();
  }
}
