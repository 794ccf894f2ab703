interface Handler {
  handle(request: { id: string }, context: { user: string }): string;
}

export const echo: Handler = {
  handle(request, context) {
    return request.id;
  },
};
