/** Colours of the canvas per theme (pure): severity fills, flag accents, edges, bubbles, text. */
export type Theme = 'dark' | 'light'

export interface Palette {
  background: number
  /** Fill per severity rank (index into SEVERITIES); 0 (no drift) is the neutral node colour. */
  severity: readonly number[]
  edge: number
  edgeHighlight: number
  bubbleFill: number
  bubbleRing: number
  selected: number
  highlighted: number
  matched: number
  text: number
  mutedText: number
  cardFill: number
  cardBorder: number
  icon: number
}

const SEVERITY_COLOURS = [0, 0x4f9fe0, 0xf5c542, 0xf08a24, 0xe0452b, 0xc0143c]

export const PALETTES: Readonly<Record<Theme, Palette>> = Object.freeze({
  dark: {
    background: 0x0f1419,
    severity: [0x6b7c8c, ...SEVERITY_COLOURS.slice(1)],
    edge: 0x5b6b7a,
    edgeHighlight: 0x9fd3ff,
    bubbleFill: 0x1b2733,
    bubbleRing: 0x3a5068,
    selected: 0xffffff,
    highlighted: 0x9fd3ff,
    matched: 0x5fd38d,
    text: 0xd6dde4,
    mutedText: 0x8a97a3,
    cardFill: 0x18222c,
    cardBorder: 0x34495e,
    icon: 0x0f1419,
  },
  light: {
    background: 0xf6f8fa,
    severity: [0x9aa7b4, ...SEVERITY_COLOURS.slice(1)],
    edge: 0x9aa7b4,
    edgeHighlight: 0x1f6fd1,
    bubbleFill: 0xe3e9ef,
    bubbleRing: 0xa9b8c7,
    selected: 0x111111,
    highlighted: 0x1f6fd1,
    matched: 0x1a9a50,
    text: 0x1c2630,
    mutedText: 0x5d6b78,
    cardFill: 0xffffff,
    cardBorder: 0xb8c4d0,
    icon: 0xffffff,
  },
})

/** `0xRRGGBB` + alpha (0…255) as the little-endian RGBA word a `unorm8x4` attribute reads. */
export function rgba(rgb: number, alpha = 255): number {
  return (((alpha & 255) << 24) | ((rgb & 255) << 16) | (rgb & 0xff00) | ((rgb >> 16) & 255)) >>> 0
}

/** `0xRRGGBB` as [r, g, b] in 0…1 (for uniforms). */
export function rgbFloat(rgb: number): [number, number, number] {
  return [((rgb >> 16) & 255) / 255, ((rgb >> 8) & 255) / 255, (rgb & 255) / 255]
}
