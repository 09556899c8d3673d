/** Placeholder dashboard entry (Vite): a live list of drifts. The SolidJS + Pixi dashboard replaces it. */
import { start } from './live.js'

start(document)
