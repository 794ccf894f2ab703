interface Request {
  url: string;
}

interface Response {
  end(body: string): void;
}

type Route = (req: Request, res: Response) => void;

const routes = new Map<string, Route>();

function healthBody(service: string, verbose: boolean): string {
  return JSON.stringify({ service, ok: true });
}

routes.set('/health', (req, res) => {
  res.end(healthBody('api', false));
});

export function routeCount(): number {
  return routes.size;
}
