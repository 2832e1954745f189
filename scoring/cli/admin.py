"""user, evidence, backup: accounts, evidence files and copies of the store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scoring.cli.common import (
    actor,
    cell,
    read_files,
    store_of,
    write_atomically,
)
from scoring.errors import InputError, Issue


def cmd_user(args: argparse.Namespace) -> int:
    from scoring.store.accounts import ROLE_NAMES, add_user, disable_user, enable_user, list_users, set_password

    store = store_of(args, writes=args.action != "list")

    def password() -> str:
        if not args.password_stdin:
            raise InputError([Issue(code="password-stdin", message="请用 --password-stdin 从标准输入提供密码")])
        return sys.stdin.readline().rstrip("\n")

    if args.action == "add":
        user = add_user(store, args.name, args.role, password(), actor(store, args), unit_id=args.unit)
        print(f"已创建账号 {user.name}({ROLE_NAMES[user.role]}{' ' + user.unit_id if user.unit_id else ''})")
    elif args.action == "passwd":
        set_password(store, args.name, password(), actor(store, args))
        print(f"已修改账号 {args.name} 的密码")
    elif args.action == "disable":
        disable_user(store, args.name, actor(store, args))
        print(f"已停用账号 {args.name}")
    elif args.action == "enable":
        enable_user(store, args.name, actor(store, args))
        print(f"已启用账号 {args.name}")
    else:
        for r in list_users(store).itertuples():
            state = "停用" if r.disabled else "正常"
            print(f"{r.name}\t{ROLE_NAMES[r.role]}\t{cell(r.unit_id)}\t{state}\t{cell(r.created_at)}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    store = store_of(args, writes=False)
    if store.backend == "postgresql":  # the server's store as one SQLite file, copied and proved as store copy does
        from scoring.store.copy import backup_to_sqlite

        out = Path(backup_to_sqlite(store.path, args.out).destination)
    else:
        out = store.backup(args.out)
    print(f"已备份 {store.location} → {out}({out.stat().st_size / 2**20:.1f} MB)")
    return 0


def cmd_evidence(args: argparse.Namespace) -> int:
    from scoring.store.evidence import add_evidence, evidence_content, evidence_files

    store = store_of(args, writes=args.action == "add")
    if args.action == "add":
        if not args.files:
            raise InputError([Issue(code="files-required", message="请给出要保存的佐证文件")])
        added = add_evidence(store, read_files(args.files), actor(store, args))
        print(
            f"已保存 {len(added.stored)} 个佐证文件"
            + (f";{len(added.already)} 个此前已保存,跳过" if added.already else "")
        )
    elif args.action == "list":
        for r in evidence_files(store).itertuples():
            print(f"{r.name}\t{r.size}\t{cell(r.uploaded_at)}\t{cell(r.uploaded_by)}\t{r.sha256}")
    else:
        if len(args.files) != 1 or not args.out:
            raise InputError([Issue(code="get-usage", message="用法:assess evidence get 文件名 --out 输出文件")])
        write_atomically(Path(args.out), evidence_content(store, args.files[0]))
        print(f"已写出 {args.out}")
    return 0
