/**
 * The session's life in the app: what a visitor sees before the app starts (sign-in, or
 * the CLI page on a server without users), going back to sign-in when the server says the
 * session has ended (the player pauses and keeps its queue and position), signing out,
 * and the first-admin offer on a loopback server without users.
 */

import { sessionEvents } from "./api.mjs";
import { notifyError } from "./notices.mjs";
import { loadSession, slugOf } from "./signin.mjs";

export const ENDED_NOTICE = "Your session has ended. Sign in again: your queue is kept.";

/** The session to start the app with: signed in (after the sign-in page when users
 * exist), or a loopback visitor of a server without users; null when it cannot start. */
export async function firstSession(pages) {
  let session;
  try {
    session = await loadSession();
  } catch (error) {
    if (error.status === 403 && slugOf(error.problem) === "no-user-yet") pages.cliOnly(error.detail);
    else notifyError("Cannot reach the server", error);
    return null;
  }
  if (session.signed_in || !session.users_exist) return { session, signedInNow: false };
  session = await pages.signIn();
  pages.hide();
  return { session, signedInNow: true };
}

/** Stop playing but keep the queue and the position, to resume after signing in. */
function holdPlayer(player) {
  const positionS = player.position;
  player.pause();
  player.stopAll();
  player.startPositionS = positionS;
}

/** Back to sign-in whenever a request finds the session gone; the same account signing
 * in carries on where it was, another account starts the app afresh. */
export function keepSession({ account, pages, player }) {
  let handling = false;
  sessionEvents.addEventListener("ended", async () => {
    if (handling) return;
    handling = true;
    const wasPlaying = player.playing;
    holdPlayer(player);  // now, before the failed request is reported as a track failure
    try {
      const now = await loadSession();
      if (now.signed_in || !now.users_exist) {  // still in (a key typed elsewhere was refused)
        account.update(now);
        if (wasPlaying) player.play();
        return;
      }
      const session = await pages.signIn(ENDED_NOTICE);
      if (account.user && session.user?.id !== account.user.id) {
        location.reload();
        return;
      }
      account.update(session);
      pages.hide();
    } catch (error) {
      notifyError("Cannot check the session", error);
    } finally {
      handling = false;
    }
  });
}

/** End the session on the server, then start over at the sign-in page. */
export async function signOut(account) {
  try {
    await account.signOut();
  } catch (error) {
    notifyError("Cannot sign out", error);
    return;
  }
  history.replaceState(null, "", "#/signin");
  location.reload();
}

/** On #/setup, a loopback visitor of a server without users creates the first admin. */
export async function offerSetup(account, pages) {
  if (!account.session.setup_available) return false;
  const session = await pages.setup();
  account.update(session);
  pages.hide();
  return true;
}
