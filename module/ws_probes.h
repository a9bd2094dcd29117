/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_PROBES_H
#define WS_PROBES_H

#include <linux/seq_file.h>

int ws_probes_resolve(void);
int ws_probes_attach(void);
void ws_probes_detach(void);
unsigned int ws_probes_attached(void);
void ws_probes_show(struct seq_file *m);

#endif /* WS_PROBES_H */
