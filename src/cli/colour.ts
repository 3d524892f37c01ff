/**
 * Colours for a person at a terminal: on when standard output is one, unless NO_COLOR is set
 * (no-color.org), TERM is dumb, or the command was given --no-color; plain text anywhere else, so
 * pipes, files and CI logs get no escape codes.
 */
import { styleText } from 'node:util';

export type Style = 'green' | 'yellow' | 'red' | 'magenta' | 'bold';
export type Paint = (style: Style, text: string) => string;

export const plain: Paint = (_style, text) => text;

export function paintFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, wanted = true): Paint {
  const on = wanted && stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
  return on ? (style, text) => styleText(style, text, { validateStream: false }) : plain;
}
