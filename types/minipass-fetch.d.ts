/** The part of minipass-fetch's API the Slack clients use (the package ships no types). */
declare module 'minipass-fetch' {
  import type { Agent } from 'node:http';

  interface Headers extends Iterable<[string, string]> {
    get(name: string): string | null;
    has(name: string): boolean;
    entries(): IterableIterator<[string, string]>;
    keys(): IterableIterator<string>;
    values(): IterableIterator<string>;
    forEach(callback: (value: string, name: string) => void): void;
  }

  interface Response {
    readonly url: string;
    readonly status: number;
    readonly statusText: string;
    readonly ok: boolean;
    readonly redirected: boolean;
    readonly headers: Headers;
    readonly bodyUsed: boolean;
    text(): Promise<string>;
    json(): Promise<unknown>;
    arrayBuffer(): Promise<ArrayBuffer>;
    buffer(): Promise<Buffer>;
  }

  interface RequestInit {
    method?: string;
    headers?: Record<string, string> | Iterable<[string, string]>;
    body?: string | Buffer | Uint8Array | null;
    redirect?: 'follow' | 'error' | 'manual';
    signal?: AbortSignal | null;
    /** A keep-alive agent: without one, minipass-fetch asks for `Connection: close`. */
    agent?: Agent | ((url: URL) => Agent);
    compress?: boolean;
    follow?: number;
    size?: number;
    timeout?: number;
  }

  function fetch(url: string, init?: RequestInit): Promise<Response>;
  export = fetch;
}
