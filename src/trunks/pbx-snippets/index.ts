// PBX-side configuration snippets pointed at the SBC (V-IN-8), by kind.
import type { ConfigDocument } from '../../config/document.js';
import { asteriskPjsip } from './asterisk-pjsip.js';
import { asteriskSip } from './asterisk-sip.js';
import { freepbx } from './freepbx.js';
import { type SnippetFile, freeswitch } from './freeswitch.js';
import { type SnippetOptions, snippetTarget } from './target.js';

export { SnippetError, PASSWORD_PLACEHOLDER, type SnippetOptions, type SnippetTarget, snippetTarget } from './target.js';
export type { SnippetFile } from './freeswitch.js';
export { asteriskPjsip, asteriskSip, freepbx, freeswitch };

export const PBX_SNIPPET_KINDS = ['asterisk-pjsip', 'asterisk-sip', 'freepbx', 'freeswitch'] as const;
export type PbxSnippetKind = (typeof PBX_SNIPPET_KINDS)[number];

export interface PbxSnippet {
  kind: PbxSnippetKind;
  pbx: string;
  /** One or more files; FreeSWITCH has three. */
  files: SnippetFile[];
  /** All files in one text (a download): each preceded by a comment naming it. */
  text: string;
}

/** Throws SnippetError (unknown PBX, side without the PBX's transport …). */
export function pbxSnippet(doc: ConfigDocument, kind: PbxSnippetKind, pbxName?: string, options: SnippetOptions = {}): PbxSnippet {
  const t = snippetTarget(doc, pbxName, options);
  const pbx = pbxName ?? doc.pbxs[0]!.name;
  let files: SnippetFile[];
  switch (kind) {
    case 'asterisk-pjsip':
      files = [{ path: 'pjsip.conf', text: asteriskPjsip(t) }];
      break;
    case 'asterisk-sip':
      files = [{ path: 'sip.conf', text: asteriskSip(t) }];
      break;
    case 'freepbx':
      files = [{ path: 'freepbx-trunk.txt', text: freepbx(t) }];
      break;
    case 'freeswitch':
      files = freeswitch(t);
      break;
  }
  const text =
    files.length === 1
      ? files[0]!.text
      : files.map((f) => `<!-- ${f.path} -->\n${f.text}`).join('\n');
  return { kind, pbx, files, text };
}
