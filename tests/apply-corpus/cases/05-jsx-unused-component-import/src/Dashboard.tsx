import { Card, CardSkeleton } from './cards';

export function Dashboard(props: { titles: string[] }) {
  return (
    <main>
      {props.titles.map((title) => (
        <Card key={title} title={title} />
      ))}
    </main>
  );
}
