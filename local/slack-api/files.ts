/**
 * Slack's file upload flow in the stand-in, as Slack documents it: `files.getUploadURLExternal`
 * (filename and length in bytes) answers an upload URL and a file id; the bytes are POSTed to that URL
 * (raw or multipart; answered `OK - <length>`); `files.completeUploadExternal` (files [{id, title}],
 * optional channel_id, initial_comment) shares the file, with the comment as the message it shows in.
 * A file whose bytes never arrived, or whose size is not the length announced, is not found; a file is
 * completed once. Nothing is shared before it is complete.
 */

/** A file uploaded through the flow. */
export interface StoredFile {
  readonly id: string;
  readonly filename: string;
  /** The length announced to files.getUploadURLExternal. */
  readonly length: number;
  /** The bytes posted to the upload URL, when they arrived. */
  bytes?: Buffer;
  title?: string;
  /** Where it was shared, once completed. */
  channel?: string;
  completed: boolean;
}

/** What the flow needs from the stand-in around it. */
export interface FilesContext {
  readonly nextId: (prefix: string) => string;
  readonly uploadUrlOf: (id: string) => string;
  readonly knownChannel: (channel: string) => boolean;
  /** Shares the completed file in `channel` with `text` as its message. */
  readonly share: (channel: string, text: string, file: StoredFile) => { ts: string };
}

type Answer = Record<string, unknown>;
const fail = (error: string): Answer => ({ ok: false, error });

/** The two Web API methods, the upload URL's handler and the files kept, over one context. */
export function fileUploads(ctx: FilesContext) {
  const files = new Map<string, StoredFile>();

  const methods: Record<string, (args: Record<string, unknown>) => Answer> = {
    'files.getUploadURLExternal': (args) => {
      const filename = typeof args.filename === 'string' ? args.filename.trim() : '';
      const length = Number(args.length);
      if (!filename || !Number.isInteger(length) || length <= 0) return fail('invalid_arguments');
      const id = ctx.nextId('F');
      files.set(id, { id, filename, length, completed: false });
      return { ok: true, upload_url: ctx.uploadUrlOf(id), file_id: id };
    },
    'files.completeUploadExternal': (args) => {
      const list = typeof args.files === 'string' ? parseList(args.files) : args.files;
      if (!Array.isArray(list) || list.length === 0) return fail('invalid_arguments');
      const wanted = list.map((f) => (typeof f === 'object' && f !== null ? (f as Record<string, unknown>) : {}));
      const channel = typeof args.channel_id === 'string' ? args.channel_id : undefined;
      if (channel !== undefined && !ctx.knownChannel(channel)) return fail('channel_not_found');
      const found = wanted.map((f) => files.get(String(f.id ?? '')));
      if (found.some((f) => !f || f.completed || f.bytes?.length !== f.length)) return fail('file_not_found');
      const shared = found as StoredFile[];
      shared.forEach((file, i) => {
        file.completed = true;
        const title = wanted[i]?.title;
        file.title = typeof title === 'string' ? title : file.filename;
        if (channel !== undefined) file.channel = channel;
      });
      if (channel !== undefined) {
        for (const file of shared) ctx.share(channel, String(args.initial_comment ?? ''), file);
      }
      return { ok: true, files: shared.map((f) => ({ id: f.id, name: f.filename, title: f.title })) };
    },
  };

  /** A POST to an upload URL: the bytes of a file not completed yet; 404 for any other id. */
  const upload = (id: string, contentType: string, body: Buffer): { status: number; text: string } => {
    const file = files.get(id);
    if (!file || file.completed) return { status: 404, text: 'not found' };
    file.bytes = contentType.startsWith('multipart/form-data') ? multipartFile(contentType, body) : body;
    return { status: 200, text: `OK - ${file.bytes.length}` };
  };

  return { files, methods, upload };
}

function parseList(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The first part's bytes of a multipart body (Slack takes the file as the `file` or `filename` part). */
function multipartFile(contentType: string, body: Buffer): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!mark) return body;
  const start = body.indexOf('\r\n\r\n', body.indexOf(`--${mark}`));
  const end = body.indexOf(`\r\n--${mark}`, start);
  return start < 0 || end < 0 ? body : body.subarray(start + 4, end);
}
