export function Button(props: { label: string; onClick?: () => void }) {
  return (
    <button type="button" onClick={props.onClick}>
      {props.label}
    </button>
  );
}
