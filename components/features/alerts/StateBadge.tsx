import { stateClass } from './api';

export function StateBadge({ state, silenced }: { state: string; silenced?: boolean }) {
  return (
    <span className={`badge ${stateClass(state)}`} data-state={state}>
      {state}
      {silenced ? ' · silenced' : ''}
    </span>
  );
}
