"""The ``assess`` command (SPEC §3): its parser, and the exit codes; the commands are in their families.

Exit codes: 0 success, 2 invalid input (every problem printed, nothing written),
1 an internal fault (a bug: the traceback is printed for the report).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from collections.abc import Sequence

from scoring.cli.admin import cmd_backup, cmd_evidence, cmd_user
from scoring.cli.common import print_issues
from scoring.cli.files import cmd_schema, cmd_score, cmd_template, cmd_validate
from scoring.cli.monitor import cmd_monitor
from scoring.cli.quality import cmd_audit, cmd_sample
from scoring.cli.records import add_records_parser
from scoring.cli.reports import cmd_annual, cmd_circular, cmd_report
from scoring.cli.robustness import cmd_agreement, cmd_sensitivity
from scoring.cli.rounds import cmd_appeal, cmd_import, cmd_publish, cmd_rounds, cmd_verify
from scoring.cli.stores import add_store_parser
from scoring.errors import InputError
from scoring.store.db import default_actor
from scoring.version import __version__

__all__ = ["main"]


# argparse's own words, in Chinese with the English beside them (an office reads --help; a script
# author may search for the English)
USAGE = "用法 usage: "
POSITIONALS = "位置参数 positional arguments"
OPTIONALS = "选项 options"
HELP = "显示本帮助并退出(show this help message and exit)"
# argparse's error messages -> what a person reads first; the English follows in brackets
ERRORS = [
    (re.compile(r"the following arguments are required: (.*)"), "缺少必需的参数:{0}"),
    (re.compile(r"unrecognized arguments: (.*)"), "无法识别的参数:{0}"),
    (re.compile(r"argument (\S+): invalid choice: (.*)"), "参数 {0} 的取值无效:{1}"),
    (re.compile(r"argument (\S+): invalid (\w+) value: (.*)"), "参数 {0} 须为 {1} 类型:{2}"),
    (re.compile(r"argument (\S+): expected (.*)"), "参数 {0} 缺少取值(expected {1})"),
    (re.compile(r"argument (\S+): not allowed with argument (.*)"), "参数 {0} 不能与 {1} 同时使用"),
]
RUBRIC = "指标体系 YAML 文件(rubric)"
UNITS = "单位名单 CSV/XLSX(units)"
RESULTS = "测评结果 CSV/XLSX(可多个)"
PERIOD = "期次,例如 2017Q3"


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, USAGE if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An argparse parser whose own words (usage, sections, -h, errors) are Chinese beside the English."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title, self._optionals.title = POSITIONALS, OPTIONALS
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=HELP)

    def error(self, message: str):  # type: ignore[no-untyped-def]
        for pattern, chinese in ERRORS:
            m = pattern.fullmatch(message)
            if m:
                message = f"{chinese.format(*m.groups())}({message})"
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 错误 error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(
        prog="assess",
        description="政务公开政务服务绩效考核计分工具(performance assessment engine for government "
        "information disclosure and government services)",
    )
    p.add_argument(
        "--version", action="version", version=f"assess {__version__}", help="显示版本号并退出(show the version)"
    )
    sub = p.add_subparsers(
        dest="command",
        required=True,
        title="命令 commands",
        parser_class=ChineseArgumentParser,
        metavar="{validate,schema,score,template,import,rounds,appeal,publish,verify,report,annual,circular,evidence,backup,store,user,monitor,records,sensitivity,agreement,audit,sample}",
    )

    v = sub.add_parser("validate", help="检查指标体系文件,可同时检查单位名单(check a rubric, and a roster)")
    v.add_argument("rubric", help=RUBRIC)
    v.add_argument("--units", help=UNITS)
    v.set_defaults(run=cmd_validate)

    sc = sub.add_parser(
        "schema", help="输出指标体系文件的 JSON Schema,供编辑器补全和检查(print the rubric's JSON Schema)"
    )
    sc.set_defaults(run=cmd_schema)

    s = sub.add_parser("score", help="校验测评结果并计分,写出得分表(check results, score, write the score tables)")
    s.add_argument("--rubric", required=True, help=RUBRIC)
    s.add_argument("--units", required=True, help=UNITS)
    s.add_argument("--results", required=True, nargs="+", help=RESULTS)
    s.add_argument("--out", required=True, help="输出文件夹(output folder)")
    s.add_argument("--allow-missing", action="store_true", help="缺少的结果按 0 分计(标记为 missing)")
    s.add_argument("--excel", action="store_true",
                   help="另在输出文件夹的 excel/ 子文件夹写出供 Excel 打开的副本:UTF-8 带 BOM,中文表头和取值;"
                        "上述 CSV 文件不变,供程序读取")  # fmt: skip
    s.set_defaults(run=cmd_score)

    t = sub.add_parser("template", help="生成第三方测评填报模板 XLSX(write the evaluators' workbook)")
    t.add_argument("--rubric", required=True, help=RUBRIC)
    t.add_argument("--units", required=True, help=UNITS)
    t.add_argument("--period", required=True, help=PERIOD)
    t.add_argument("--out", required=True, help="输出 .xlsx 文件")
    t.set_defaults(run=cmd_template)

    def stored(name: str, help_text: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_text)
        c.add_argument("--db", help="存储文件(默认 ASSESS_DB 或 ./data/assess.db)")
        c.add_argument("--by", default=default_actor(),
                       help="操作人:存储中的账号名(未设任何账号的存储可用任意名字),按该账号的权限检查并记入审计日志")  # fmt: skip
        return c

    i = stored("import", "把测评结果作为一个批次导入存储,整批导入或不导入(import results into the store)")
    i.add_argument("--rubric", required=True, help=RUBRIC)
    i.add_argument("--units", required=True, help=UNITS)
    i.add_argument("--results", required=True, nargs="+", help=RESULTS)
    i.set_defaults(run=cmd_import)

    r = stored("rounds", "列出测评轮次;开启期次(--open);或改变某期状态:草稿/反馈/申诉复核(list, open or move rounds)")
    r.add_argument("--open", action="store_true", help="开启 --period 指定的期次,之后才能向其导入结果")
    r.add_argument("--title", help="--open:期次的名称,例如 2017年第三季度")
    r.add_argument("--period", help=PERIOD)
    r.add_argument(
        "--status", choices=["draft", "feedback", "appeal"], help="新状态:draft 草稿、feedback 反馈、appeal 申诉复核"
    )
    r.add_argument("--reason", help="重新开放已发布轮次时必填;以 - 开头的理由写作 --reason=-…")
    r.set_defaults(run=cmd_rounds)

    a = stored("appeal", "申诉:登记(file)、列出(list)、复核(decide)(appeals)")
    a.add_argument("action", choices=["file", "list", "decide"], help="file 登记、list 列出、decide 复核")
    a.add_argument("id", nargs="?", type=int, help="decide:申诉编号")
    a.add_argument("--period", help=PERIOD)
    a.add_argument("--unit", help="申诉单位的单位编码")
    a.add_argument("--check", help="所申诉的测评点编码")
    a.add_argument("--reason", default="", help="申诉或复核理由;以 - 开头的理由写作 --reason=-…")
    a.add_argument("--proof", help="file:证明材料的说明(文号、网址等)")
    a.add_argument("--proof-files", nargs="+", metavar="FILE", help="file:证明材料文件(截图、文档),随申诉保存")
    a.add_argument("--uphold", action="store_true", help="decide:维持原结果")
    a.add_argument("--correct", metavar="VALUE", help="decide:更正为该结果")
    a.set_defaults(run=cmd_appeal)

    pb = stored("publish", "发布某期结果,冻结为一个版本(publish a round)")
    pb.add_argument("--period", required=True, help=PERIOD)
    pb.add_argument("--reason", help="发布第 2 版及以后时必填;以 - 开头的理由写作 --reason=-…")
    pb.add_argument("--allow-missing", action="store_true", help="仍有缺少的结果时也发布(按 0 分计)")
    pb.set_defaults(run=cmd_publish)

    vf = stored("verify", "用存储的指标体系、名单和测评结果重算已发布版本并逐行比对(verify published rounds)")
    vf.add_argument("--period", help="只核对该期次(默认全部已发布期次)")
    vf.add_argument("--revision", type=int, help="与 --digest 一起:核对的版本(默认最新版)")
    vf.add_argument("--digest", help="发布时打印的摘要:核对该期已发布版本重算后与之完全一致")
    vf.set_defaults(run=cmd_verify)

    rp = stored("report", "生成 Excel 报告:单位报告(--unit)或领导汇总(write a unit's or the leaders' workbook)")
    rp.add_argument("--period", required=True, help=PERIOD)
    rp.add_argument("--unit", help="单位编码:写出该单位的报告;不给则写出领导汇总")
    rp.add_argument("--revision", type=int, help="已发布的第几版(默认最新版)")
    rp.add_argument("--out", required=True, help="输出 .xlsx 文件")
    rp.set_defaults(run=cmd_report)

    an = stored("annual", "年度汇总:已发布各期得分的平均,按分组排名,写出 CSV(the year's roll-up)")
    an.add_argument("--periods", nargs="+", help="计入的期次(默认:全部已发布的期次)")
    an.add_argument("--out", required=True, help="输出 .csv 文件")
    an.add_argument("--totals", help="另写出每个单位各轨道目标管理分及合计的 .csv 文件")
    an.add_argument("--xlsx", help="另写出年度汇总工作簿(各轨道年度排名、目标管理分合计)")
    an.set_defaults(run=cmd_annual)

    ev = stored("evidence", "佐证文件:add(保存截图、文档等)、list(列出)、get(取出)(evidence files)")
    ev.add_argument("action", choices=["add", "list", "get"], help="add 保存、list 列出、get 取出")
    ev.add_argument("files", nargs="*", help="add:要保存的文件;get:文件名")
    ev.add_argument("--out", help="get:写出的文件")
    ev.set_defaults(run=cmd_evidence)

    cc = stored(
        "circular",
        "通报草稿:根据已发布结果写出本期测评情况通报的草稿(与上一已发布期次对比);--out 以 .docx 结尾时写出 Word 文档"
        "(draft the round's circular)",
    )
    cc.add_argument("--period", required=True, help=PERIOD)
    cc.add_argument("--out", required=True, help="输出 .txt 文件(UTF-8),或 .docx(Word 文档)")
    cc.set_defaults(run=cmd_circular)

    bk = stored("backup", "备份存储:在应用运行时也可安全地复制整个存储文件(back up the store)")
    bk.add_argument("--out", required=True, help="备份文件(.db)")
    bk.set_defaults(run=cmd_backup)

    add_store_parser(sub, default_actor())

    us = stored("user", "账号:add(创建)、list(列出)、disable(停用)、enable(启用)、passwd(改密码)(accounts)")
    us.add_argument("action", choices=["add", "list", "disable", "enable", "passwd"],
                    help="add 创建、list 列出、disable 停用、enable 启用、passwd 改密码")  # fmt: skip
    us.add_argument("name", nargs="?", help="账号名")
    us.add_argument("--role", choices=["admin", "evaluator", "leader", "unit"],
                    help="角色:admin 考核办、evaluator 第三方评估机构、leader 领导、unit 被考核单位")  # fmt: skip
    us.add_argument("--unit", help="unit 角色绑定的单位编码")
    us.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码(不在命令行上出现)")
    us.set_defaults(run=cmd_user)

    mo = sub.add_parser(
        "monitor", help="网站监测:按站点清单探测各单位网站,写出测评结果,测评人为 monitor(monitor the units' websites)"
    )
    mo.add_argument("--rubric", required=True, help="指标体系 YAML 文件(带 monitor 的测评点)")
    mo.add_argument("--units", required=True, help="单位名单 CSV/XLSX")
    mo.add_argument("--sites", required=True, help="站点清单 CSV/XLSX:单位编码、栏目、类型、网址")
    mo.add_argument("--period", required=True, help="期次,例如 2017Q3")
    mo.add_argument("--out", required=True, help="输出的测评结果 .csv")
    mo.add_argument("--as-of", help="测评日 YYYY-MM-DD(默认今天,北京时间);给定后结果可复现")
    mo.add_argument("--db", help="存储文件:保存每次探测和网页存档;首页失败率按本期全部探测计算")
    mo.add_argument("--by", default=default_actor(), help="操作人(与 --db 一起)")
    mo.add_argument("--concurrency", type=int, default=16, help="同时进行的请求数(默认 16;每个主机最多 2 个)")
    mo.add_argument("--screenshots", action="store_true",
                    help="另用 chromium 截取各网页首屏,作为佐证文件保存(需 --db)")  # fmt: skip
    mo.add_argument("--max-links", type=int, default=500, help="每个网页最多探测的链接数(默认 500)")
    mo.add_argument(
        "--words", help="错误表述清单 CSV/XLSX:错误表述、正确表述、严重程度(严重/一般);wrong_words 规则需要它"
    )
    mo.add_argument("--max-articles", type=int, default=20, help="每个栏目最多读取的最新文章数(默认 20)")
    mo.add_argument("--deadline", type=float, default=60.0,
                    help="本次监测的时限,分钟(默认 60;可为小数);到时以已得结果写出,未访问完的测评点不写结果")  # fmt: skip
    mo.set_defaults(run=cmd_monitor)

    add_records_parser(sub, default_actor())

    se = sub.add_parser(
        "sensitivity", help="排名稳健性:随机改变各一级指标权重,给出每个排名的区间和各一级指标的影响(rank sensitivity)"
    )
    se.add_argument("--rubric", required=True, help=RUBRIC)
    se.add_argument("--units", required=True, help=UNITS)
    se.add_argument("--results", required=True, nargs="+", help=RESULTS)
    se.add_argument("--out", required=True, help="输出文件夹")
    se.add_argument("--runs", type=int, default=1000, help="模拟次数 1–100000(默认 1000)")
    se.add_argument("--spread", type=float, default=0.25, help="权重变化幅度,0 ≤ s < 1(默认 0.25,即 ±25%%)")
    se.add_argument("--seed", type=int, default=0, help="随机种子;相同种子得出相同的文件")
    se.set_defaults(run=cmd_sensitivity)

    ag = sub.add_parser(
        "agreement",
        help="评分一致性:两位评估人员对同一批单位的结果,逐测评点的一致率和 Krippendorff's alpha(inter-rater agreement)",
    )
    ag.add_argument("--rubric", required=True, help=RUBRIC)
    ag.add_argument("--units", required=True, help=UNITS)
    ag.add_argument("--results", required=True, nargs=2, metavar=("FIRST", "SECOND"),
                    help="两位评估人员各自的测评结果 CSV/XLSX")  # fmt: skip
    ag.add_argument("--out", required=True, help="输出 .csv")
    ag.add_argument("--reconcile", metavar="FILE.csv",
                    help="另写出对账清单 CSV(UTF-8 带 BOM):两次结果不一致的各项、两个结果及其得分,"
                         "以及按复核结果重算后该单位的得分和排名(reconciliation list)")  # fmt: skip
    ag.set_defaults(run=cmd_agreement)

    au = sub.add_parser(
        "audit",
        help="指标质量:逐期逐测评点的区分度、不涉及占比、与一级指标和轨道其余部分的相关,各一级指标的 Cronbach's α,"
        "及提示(indicator quality audit)",
    )
    au.add_argument("--rubric", required=True, help=RUBRIC)
    au.add_argument("--units", required=True, help=UNITS)
    au.add_argument("--results", required=True, nargs="+", help=RESULTS)
    au.add_argument("--out", required=True,
                    help="输出文件夹:check_quality.csv、dimension_quality.csv(UTF-8 带 BOM)和 quality.xlsx")  # fmt: skip
    au.add_argument("--allow-missing", action="store_true", help="缺少的结果按 0 分计(标记为 missing)")
    au.set_defaults(run=cmd_audit)

    sa = stored(
        "sample", "抽查复核:从存储的某期测评结果中分层(测评人 × 分组 × 计分方法)随机抽样,写出复核模板(re-check sample)"
    )
    sa.add_argument("--period", required=True, help=PERIOD)
    sa.add_argument("--size", required=True, type=int, help="抽取的结果数;每个非空分层至少抽 1 项")
    sa.add_argument("--seed", type=int, default=0, help="随机种子;相同种子、相同结果得出相同的样本(默认 0)")
    sa.add_argument("--out", required=True, help="输出 .xlsx 复核模板(不含原结果)")
    sa.set_defaults(run=cmd_sample)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except InputError as exc:
        print_issues(exc, args.command)
        return 2
    except BrokenPipeError:
        # the reader stopped early (``assess ... | head``): what was done is done; say nothing
        # more, and end as a shell tool killed by SIGPIPE does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        # a store that breaks under the command (a damaged page, a full disk, a read-only file) is
        # the machine's state, said as such; anything else is a bug: keep the traceback for the report
        problem = _store_problem(exc, args)
        if problem is not None:
            print_issues(problem, args.command)
            return 2
        print("内部错误(这是程序缺陷,请附上以下信息报告):", file=sys.stderr)
        traceback.print_exc()
        return 1


def _store_problem(exc: Exception, args: argparse.Namespace) -> InputError | None:
    from scoring.store.db import default_db_path
    from scoring.store.failures import store_failure

    return store_failure(exc, getattr(args, "db", None) or default_db_path())


if __name__ == "__main__":
    sys.exit(main())
