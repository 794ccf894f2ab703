export function Card(props: { title: string }) {
  return <section className="card">{props.title}</section>;
}

export function CardSkeleton() {
  return <section className="card card-loading" />;
}
