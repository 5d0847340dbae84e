// The parts of the `compression` package (1.8) this server uses; the package ships no types.
declare module 'compression' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type Handler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
  type Options = {
    filter?: (req: IncomingMessage, res: ServerResponse) => boolean;
    threshold?: number | string;
    level?: number;
    brotli?: { params?: Record<number, number> };
  };
  function compression(options?: Options): Handler;
  namespace compression {
    function filter(req: IncomingMessage, res: ServerResponse): boolean;
  }
  export default compression;
}
