import { Button } from './Button';

export function Toolbar(props: { onSave: () => void }) {
  return (
    <nav className="toolbar">
      <Button label="Save" onClick={props.onSave} />
    </nav>
  );
}
