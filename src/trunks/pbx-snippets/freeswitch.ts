// FreeSWITCH (V-IN-8): a gateway toward the SBC (sip_profiles/external), an
// ACL list that lets the SBC's address in without digest (acl.conf.xml),
// and a public-context extension sending any number (^(\d+)$) to that
// extension in the default context.
import { type SnippetTarget, hostForUri } from './target.js';

export interface SnippetFile {
  path: string;
  text: string;
}

function attr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function param(name: string, value: string): string {
  return `    <param name="${attr(name)}" value="${attr(value)}"/>`;
}

export function freeswitch(t: SnippetTarget): SnippetFile[] {
  const n = t.name;
  const gateway = [
    '<include>',
    `  <gateway name="${attr(n)}">`,
    param('proxy', `${hostForUri(t.sbcHost)}:${t.sbcPort}`),
    param('register', t.register ? 'true' : 'false'),
    ...(t.register ? [param('username', t.register.username), param('password', t.register.password), param('expire-seconds', '3600')] : []),
    param('register-transport', t.transport),
    param('caller-id-in-from', 'true'),
    param('ping', '120'),
    param('context', 'public'),
    '  </gateway>',
    '</include>',
    '',
  ].join('\n');
  const cidr = `${t.sbcHost}/${t.sbcHost.includes(':') ? 128 : 32}`;
  const acl = [
    '<configuration name="acl.conf" description="Network Lists">',
    '  <network-lists>',
    `    <list name="${attr(n)}" default="deny">`,
    `      <node type="allow" cidr="${attr(cidr)}"/>`,
    '    </list>',
    '  </network-lists>',
    '</configuration>',
    '',
  ].join('\n');
  const dialplan = [
    '<include>',
    `  <extension name="from-${attr(n)}">`,
    '    <condition field="destination_number" expression="^(\\d+)$">',
    '      <action application="transfer" data="$1 XML default"/>',
    '    </condition>',
    '  </extension>',
    '</include>',
    '',
  ].join('\n');
  return [
    { path: `sip_profiles/external/${n}.xml`, text: gateway },
    { path: 'autoload_configs/acl.conf.xml', text: acl },
    { path: `dialplan/public/00_${n}.xml`, text: dialplan },
  ];
}
