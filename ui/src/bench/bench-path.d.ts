/** Types of the copied ui-bench camera path (bench-path.js, a verbatim copy of ../shared/ui-bench/pages/bench-path.js). */
export interface BenchCamera { x: number; y: number; ratio: number }
export const BENCH_PATH: Readonly<{ ratioMax: number; ratioMin: number; zoomCycles: number; panAmplitude: number }>
export function benchCameraAt(t: number, total: number): BenchCamera
export function runBenchPath(ms: number, apply: (state: BenchCamera) => void): Promise<{ frames: number }>
