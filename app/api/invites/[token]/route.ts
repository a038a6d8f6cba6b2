import { z } from 'zod';
import { failureResponse, jsonError, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import {
  acceptInvite,
  clientAddress,
  inviteBySecret,
  isCrossSiteRequest,
  isSameOriginRequest,
  sessionCookie,
  sessionToken,
  userForSession,
  wantsSecureCookie,
} from '@/lib/auth';
import { getDb } from '@/lib/db';

type Ctx = { params: Promise<{ token: string }> };

async function answering(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    // the path without the invitation's secret
    return failureResponse(error, '/api/invites/…');
  }
}

/** What the link offers (workspace and role): 404 unknown, 410 used or expired. No secret in the answer. */
export async function GET(_request: Request, { params }: Ctx) {
  return answering(async () => {
    const invite = await inviteBySecret(getDb(), (await params).token);
    return Response.json({
      workspace: { slug: invite.workspace.slug, name: invite.workspace.name },
      role: invite.role,
    });
  });
}

const accountSchema = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dots, dashes and underscores, up to 64'),
  password: z.string().max(1000),
});

/**
 * Accepts the invitation, once. Signed in (a session cookie): the caller joins the workspace. Otherwise the
 * body chooses a username and password: the user is created, joins, and is signed in.
 */
export async function POST(request: Request, { params }: Ctx) {
  return answering(async () => {
    if (isCrossSiteRequest(request)) return jsonError(403, 'cross-origin request refused');
    const db = getDb();
    const secret = (await params).token;
    const address = clientAddress(request);
    const user = await userForSession(db, sessionToken(request));
    let result: Awaited<ReturnType<typeof acceptInvite>>;
    if (user) {
      if (!isSameOriginRequest(request)) return jsonError(403, 'cross-origin request refused');
      result = await acceptInvite(db, secret, { userId: user.id });
    } else {
      const body = await parseJsonBody(request, accountSchema);
      if (!body.ok) return body.response;
      result = await acceptInvite(db, secret, {
        account: body.data,
        origin: { address, userAgent: request.headers.get('user-agent') },
      });
    }
    await recordAudit(
      db,
      { type: 'user', id: result.userId, name: result.username, address },
      {
        workspaceId: result.workspace.id,
        action: 'member.join',
        objectType: 'member',
        objectId: result.userId,
        after: { username: result.username, role: result.role },
      },
    );
    const headers = new Headers();
    if (result.session) {
      headers.append(
        'set-cookie',
        sessionCookie(result.session.token, result.session.expiresAt, wantsSecureCookie(request)),
      );
    }
    return Response.json(
      {
        workspace: { slug: result.workspace.slug, name: result.workspace.name },
        role: result.role,
        username: result.username,
      },
      { status: 201, headers },
    );
  });
}
