import { monotonicFactory } from 'ulid'

/** Monotonic ULIDs: sortable by creation time, unique within this process even in the same millisecond. */
export const newId: (seedTime?: number) => string = monotonicFactory()
