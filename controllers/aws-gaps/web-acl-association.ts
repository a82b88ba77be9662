/**
 * WebACLAssociation: the REGIONAL web ACL of a load balancer, which no ACK kind or field sets (docs/aws-gaps.md).
 * A resource has at most one web ACL, and AssociateWebACL replaces the one it has, so ensuring is one read and at
 * most one write; AWS refuses to delete a web ACL that is still associated, so undo runs before the web ACL's deletion.
 */
import type { WebAclAssociation } from '../../charts/aws-gaps.js';
import { AwsCallError, awsCall } from './aws-errors.js';
import type { GapHandler } from './handler.js';

/** AWS's answer when the resource (or the web ACL) does not exist. */
const NOT_FOUND = 'WAFNonexistentItemException';

const describe = (webACLARN: string | undefined) => (webACLARN ? `associated with web ACL ${webACLARN}` : 'no web ACL associated, as declared');

/** See the module comment. */
export const webAclAssociation: GapHandler<WebAclAssociation> = {
  kind: 'WebACLAssociation',

  ensureInputs: (gap) => ({ resourceARN: gap.resourceARN, ...(gap.webACLARN ? { webACLARN: gap.webACLARN } : {}) }),

  targetInputs: (gap) => ({ resourceARN: gap.resourceARN }),

  async ensure({ clients, region }, { resourceARN, webACLARN }) {
    const api = clients.webAcl(region);
    const current = await awsCall('GetWebACLForResource', () => api.webACLFor(resourceARN!));
    if (current === webACLARN) return { message: describe(webACLARN), changed: false };
    if (webACLARN === undefined) await awsCall('DisassociateWebACL', () => api.disassociate(resourceARN!));
    else await awsCall('AssociateWebACL', () => api.associate(webACLARN, resourceARN!));
    return { message: describe(webACLARN), changed: true };
  },

  async undo({ clients, region }, { resourceARN }) {
    const api = clients.webAcl(region);
    try {
      if ((await awsCall('GetWebACLForResource', () => api.webACLFor(resourceARN!))) === undefined) return false;
      await awsCall('DisassociateWebACL', () => api.disassociate(resourceARN!));
      return true;
    } catch (err) {
      // The load balancer is gone already: so is its association.
      if (err instanceof AwsCallError && err.code === NOT_FOUND) return false;
      throw err;
    }
  },
};
