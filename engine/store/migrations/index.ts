import { up as initial } from './0001-initial.ts'
import { up as busJournal } from './0002-bus-journal.ts'
import { up as busEpoch } from './0003-bus-epoch.ts'
import { up as pluginState } from './0004-plugin-state.ts'
import { up as driftHistory } from './0005-drift-history.ts'
import { up as deliveryCheckpoints } from './0006-delivery-checkpoints.ts'
import { up as busJournalRowid } from './0007-bus-journal-rowid.ts'

/** One schema step; `version` numbers are dense from 1 and never reused or edited once released. */
export interface Migration {
  version: number
  name: string
  up: string
}

/** Every migration, in order. Append new files as `000N-name.ts`; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', up: initial },
  { version: 2, name: 'bus_journal', up: busJournal },
  { version: 3, name: 'bus_epoch', up: busEpoch },
  { version: 4, name: 'plugin_state', up: pluginState },
  { version: 5, name: 'drift_history', up: driftHistory },
  { version: 6, name: 'delivery_checkpoints', up: deliveryCheckpoints },
  { version: 7, name: 'bus_journal_rowid', up: busJournalRowid },
]
