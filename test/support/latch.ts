/** A promise a test opens when it chooses: what holds a call until another has happened. */
export interface Latch {
  /** Settles once `open` is called. */
  readonly opened: Promise<void>;
  open(): void;
}

/** A closed latch. */
export function latch(): Latch {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open: () => open() };
}
