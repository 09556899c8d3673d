/**
 * Dashboard entry. `/?bench=N` runs the ui-bench target (the renderer alone, measured beside sigma.js)
 * and nothing else; the app is imported lazily so the bench page does not load or run it.
 */
import './app/styles.css'

const root = document.getElementById('root')!
const params = new URLSearchParams(location.search)
const bench = params.get('bench')

if (bench !== null) {
  const { runBench } = await import('./bench/bench-page.ts')
  await runBench(root, Number(bench) || 10_000, params)
} else {
  const [{ render }, { App }] = await Promise.all([import('solid-js/web'), import('./app/App.tsx')])
  render(() => <App />, root)
}
