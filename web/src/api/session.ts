// Who the browser's session belongs to (the gateway's /account/me), and the pages each role sees.

export interface Me {
  signedIn: boolean;
  name: string;
  roles: string[];
}

export async function whoAmI(): Promise<Me> {
  const response = await fetch('/account/me', { credentials: 'same-origin' });
  if (!response.ok) {
    return { signedIn: false, name: '', roles: [] };
  }
  const me = (await response.json()) as Partial<Me>;
  return { signedIn: me.signedIn === true, name: me.name ?? '', roles: me.roles ?? [] };
}

export interface PageLink {
  path: string;
  title: string;
  roles: string[];
}

export const pages: PageLink[] = [
  { path: '/annotate', title: 'Annotate', roles: ['annotator', 'radiologist'] },
  { path: '/review', title: 'Review', roles: ['radiologist'] },
  { path: '/review-labels', title: 'Review labels', roles: ['radiologist'] },
  { path: '/datasets', title: 'Datasets', roles: ['ml-engineer', 'admin', 'annotator', 'radiologist'] },
  { path: '/models', title: 'Models', roles: ['ml-engineer', 'admin', 'annotator', 'radiologist'] },
  { path: '/operations', title: 'Operations', roles: ['admin'] },
];

/** The pages a user with these roles may open, in menu order. */
export function pagesFor(roles: string[]): PageLink[] {
  return pages.filter((page) => page.roles.some((role) => roles.includes(role)));
}

export function signInUrl(returnTo: string): string {
  return `/account/signin?returnUrl=${encodeURIComponent(returnTo)}`;
}
