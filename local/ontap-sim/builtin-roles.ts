/**
 * ONTAP's predefined REST roles. The names are ONTAP's; the privilege tuples
 * are illustrative (NetApp does not document them all), enough for a caller to
 * describe a role in one line.
 */

/** One REST privilege tuple of a role. */
export interface Privilege {
  path: string;
  access: 'none' | 'readonly' | 'all';
}

/** Built-in roles of the cluster-scoped admin SVM. */
export const CLUSTER_BUILTIN_ROLES: Readonly<Record<string, Privilege[]>> = {
  admin: [{ path: '/api', access: 'all' }],
  backup: [
    { path: '/api', access: 'readonly' },
    { path: '/api/snapmirror', access: 'all' },
    { path: '/api/storage/volumes', access: 'readonly' },
  ],
  readonly: [{ path: '/api', access: 'readonly' }],
  autosupport: [{ path: '/api', access: 'none' }],
  none: [{ path: '/api', access: 'none' }],
};

/** Built-in roles of every data SVM. */
export const SVM_BUILTIN_ROLES: Readonly<Record<string, Privilege[]>> = {
  // The first five tuples are the ones NetApp's security/roles page shows for vsadmin.
  vsadmin: [
    { path: '/api/application/applications', access: 'all' },
    { path: '/api/application/templates', access: 'readonly' },
    { path: '/api/cluster', access: 'readonly' },
    { path: '/api/svm/svms', access: 'readonly' },
    { path: '/api/svms', access: 'readonly' },
    { path: '/api/storage', access: 'all' },
    { path: '/api/protocols', access: 'all' },
  ],
  'vsadmin-backup': [
    { path: '/api/snapmirror', access: 'all' },
    { path: '/api/storage/volumes', access: 'readonly' },
  ],
  'vsadmin-protocol': [{ path: '/api/protocols', access: 'all' }],
  'vsadmin-readonly': [{ path: '/api', access: 'readonly' }],
  'vsadmin-volume': [{ path: '/api/storage/volumes', access: 'all' }],
  'vsadmin-snaplock': [{ path: '/api/storage/snaplock', access: 'all' }],
};
