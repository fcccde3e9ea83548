import { type KeyboardEvent, useRef } from 'react';

/** WAI-ARIA tabs: arrow keys move between spaces, the selected tab is the only tab stop. */
export function SpaceTabs(props: {
  spaces: { id: string; name: string }[];
  selected: string;
  onSelect: (id: string) => void;
  label: string;
}) {
  const refs = useRef(new Map<string, HTMLButtonElement>());
  const onKey = (e: KeyboardEvent) => {
    const i = props.spaces.findIndex((s) => s.id === props.selected);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next =
      props.spaces[(i + step + props.spaces.length) % props.spaces.length]!;
    props.onSelect(next.id);
    refs.current.get(next.id)?.focus();
  };
  return (
    <div
      className="tabs"
      role="tablist"
      aria-label={props.label}
      onKeyDown={onKey}
    >
      {props.spaces.map((s) => (
        <button
          key={s.id}
          ref={(el) => {
            if (el) refs.current.set(s.id, el);
            else refs.current.delete(s.id);
          }}
          id={`tab-${s.id}`}
          type="button"
          role="tab"
          aria-selected={s.id === props.selected}
          aria-controls={`space-${s.id}`}
          tabIndex={s.id === props.selected ? 0 : -1}
          onClick={() => props.onSelect(s.id)}
        >
          {s.name}
        </button>
      ))}
    </div>
  );
}
