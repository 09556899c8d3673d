/**
 * Front-chain circle packing (Wang et al. 2006), ported from d3-hierarchy's `packSiblings`
 * (ISC licence, Mike Bostock) with two changes that make it *prefix-stable*:
 *
 * - the first circle sits at the origin and the second to its right, so circle 0 no longer depends
 *   on circle 1's radius;
 * - the result is not translated to centre the enclosing circle.
 *
 * Circle i is then placed by the same arithmetic on the same inputs whatever follows it, so appending
 * circles, or growing circle k, leaves circles 0 … k-1 bit-identical. The layout relies on that:
 * a new group never moves its older siblings.
 */

/** A circle to pack; `x`/`y` are written. */
export interface PackCircle {
  x: number
  y: number
  r: number
}

interface ChainNode {
  c: PackCircle
  next: ChainNode
  previous: ChainNode
}

/** Places `circles` in order without overlap (prefix-stable, see the header). */
export function packSiblingsStable(circles: PackCircle[]): void {
  const n = circles.length
  if (!n) return
  const c0 = circles[0]!
  c0.x = 0
  c0.y = 0
  if (n === 1) return
  const c1 = circles[1]!
  c1.x = c0.r + c1.r
  c1.y = 0
  if (n === 2) return
  place(c1, c0, circles[2]!)

  let a = chainNode(c0)
  let b = chainNode(c1)
  let c = chainNode(circles[2]!)
  a.next = c.previous = b
  b.next = a.previous = c
  c.next = b.previous = a

  pack: for (let i = 3; i < n; ++i) {
    const circle = circles[i]!
    place(a.c, b.c, circle)
    c = chainNode(circle)
    // The closest intersecting circle on the front chain, by distance along the chain.
    let j = b.next, k = a.previous, sj = b.c.r, sk = a.c.r
    do {
      if (sj <= sk) {
        if (intersects(j.c, c.c)) {
          b = j; a.next = b; b.previous = a; --i
          continue pack
        }
        sj += j.c.r; j = j.next
      } else {
        if (intersects(k.c, c.c)) {
          a = k; a.next = b; b.previous = a; --i
          continue pack
        }
        sk += k.c.r; k = k.previous
      }
    } while (j !== k.next)

    // Insert c between a and b, then find the pair closest to the origin for the next placement.
    c.previous = a; c.next = b; a.next = b.previous = b = c
    let aa = score(a)
    while ((c = c.next) !== b) {
      const ca = score(c)
      if (ca < aa) { a = c; aa = ca }
    }
    b = a.next
  }
}

function chainNode(c: PackCircle): ChainNode {
  const node = { c } as ChainNode
  node.next = node.previous = node
  return node
}

function place(b: PackCircle, a: PackCircle, c: PackCircle): void {
  const dx = b.x - a.x, dy = b.y - a.y, d2 = dx * dx + dy * dy
  if (d2) {
    let a2 = a.r + c.r, b2 = b.r + c.r
    a2 *= a2
    b2 *= b2
    if (a2 > b2) {
      const x = (d2 + b2 - a2) / (2 * d2)
      const y = Math.sqrt(Math.max(0, b2 / d2 - x * x))
      c.x = b.x - x * dx - y * dy
      c.y = b.y - x * dy + y * dx
    } else {
      const x = (d2 + a2 - b2) / (2 * d2)
      const y = Math.sqrt(Math.max(0, a2 / d2 - x * x))
      c.x = a.x + x * dx - y * dy
      c.y = a.y + x * dy + y * dx
    }
  } else {
    c.x = a.x + c.r
    c.y = a.y
  }
}

function intersects(a: PackCircle, b: PackCircle): boolean {
  const dr = a.r + b.r - 1e-6, dx = b.x - a.x, dy = b.y - a.y
  return dr > 0 && dr * dr > dx * dx + dy * dy
}

function score(node: ChainNode): number {
  const a = node.c, b = node.next.c, ab = a.r + b.r
  const dx = (a.x * b.r + b.x * a.r) / ab, dy = (a.y * b.r + b.y * a.r) / ab
  return dx * dx + dy * dy
}
