"""store copy, store grant: a whole store moved between backends, and the app's database role."""

from __future__ import annotations

import argparse

from scoring.cli.common import store_of

__all__ = ["add_store_parser"]


def add_store_parser(sub, default_by: str) -> None:
    st = sub.add_parser("store", help="存储:整体复制(copy)、为应用的数据库角色授权(grant)(the store itself)")
    ops = st.add_subparsers(dest="store_command", required=True, title="操作 actions", metavar="{copy,grant}",
                            help="copy 复制整个存储、grant 为应用的数据库角色授权",
                            parser_class=type(st))  # fmt: skip
    cp = ops.add_parser("copy", help="把整个存储复制到一个空的存储并核对(SQLite、PostgreSQL 互相复制)"
                                     "(copy a whole store into an empty one, and verify it)")  # fmt: skip
    cp.add_argument("source", metavar="SRC", help="源存储:文件路径或 postgresql:// 地址(source store)")
    cp.add_argument("destination", metavar="DST",
                    help="目标存储:新文件路径或空数据库的 postgresql:// 地址(an empty destination)")  # fmt: skip
    cp.set_defaults(run=cmd_store_copy)
    gr = ops.add_parser("grant", help="PostgreSQL:只给应用的数据库角色所需的权限:读取、新增,仅可修改轮次状态和账号密码/停用"
                                      "(least privilege for the app's role)")  # fmt: skip
    gr.add_argument("--db", help="存储的 postgresql:// 地址,以各表所有者的身份连接(默认 ASSESS_DB)")
    gr.add_argument("--role", required=True, help="应用连接所用的角色名(须已存在)(the app's role)")
    gr.add_argument("--show", action="store_true", help="只打印将执行的 SQL,不执行(print the SQL only)")
    gr.add_argument("--by", default=default_by, help="操作人,记入审计日志")
    gr.set_defaults(run=cmd_store_grant)


def cmd_store_copy(args: argparse.Namespace) -> int:
    from scoring.store.copy import copy_store

    res = copy_store(args.source, args.destination)
    print(f"已复制 {res.source} → {res.destination}:{len(res.tables)} 张表,共 {res.rows} 行")
    for t in res.tables:
        print(f"  {t.name}\t{t.rows} 行\t{t.digest[:16]}")
    print(f"核对通过:各表行数和内容摘要一致;{res.revisions} 个已发布版本的发布摘要相同,"
          f"在副本上重算比对 {res.rows_compared} 行,全部一致")  # fmt: skip
    return 0


def cmd_store_grant(args: argparse.Namespace) -> int:
    from scoring.store.grants import grant_app_role, grant_statements

    if args.show:
        print(";\n".join(grant_statements(args.role)) + ";")
        return 0
    store = store_of(args)
    done = grant_app_role(store, args.role, args.by)
    print(f"已为角色 {args.role} 授权({len(done)} 条语句):读取、新增各表;只可修改轮次状态、账号的密码和停用状态;"
          "不能修改或删除其他任何行,不能改动表结构")  # fmt: skip
    return 0
