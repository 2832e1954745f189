"""Every word the app shows, in one place (Simplified Chinese; the users are Chinese officials)."""

from __future__ import annotations

from scoring.views.rectification import RECTIFICATION_NAMES

APP_TITLE = "政务公开政务服务绩效考核"
DEMO_NOTE = "当前为演示数据(2017Q3–2018Q2 四期模拟测评结果),不代表任何单位的真实情况。"

PAGE = {
    "ranking": "排名总览",
    "annual": "年度汇总",
    "rectification": "整改跟踪",
    "problems": "共性问题",
    "unit": "单位详情",
    "upload": "导入测评结果",
    "appeals": "申诉复核",
    "rounds": "测评轮次",
    "rubric": "指标体系",
    "accounts": "账号管理",
}

LABEL = {
    "period": "期次",
    "track": "考核轨道",
    "group": "分组",
    "unit": "单位",
    "grade_distribution": "等次分布",
    "rank_history": "历次得分与排名",
    "rank_history_note": "每格颜色为该期得分,数字为该期组内排名;单位按所选期次的排名排列。",
    "score_chart": "得分",
    "download_csv": "下载表格(CSV)",
    "download_xlsx": "下载表格(Excel)",
    "download_report": "下载本单位测评报告(Excel)",
    "download_leaders": "下载本期汇总(Excel)",
    "download_circular": "下载通报草稿(文本)",
    "download_annual": "下载年度汇总工作簿(Excel)",
    "download_template": "下载测评填报模板(Excel)",
    "download_rubric": "下载指标体系文件(YAML)",
    "download_schema": "下载指标体系 JSON Schema",
    "schema_help": "编写下一年度指标体系时使用:与 YAML 文件放在同一文件夹,VS Code 等编辑器(装 YAML 插件)即可自动补全、"
    "悬停说明并标出拼错的键和超出范围的值;分值合计、4% 权重等规则仍以上传或 assess validate 的检查为准",
    "template_period": "模板期次",
    "upload_files": "上传测评结果文件(CSV 或 XLSX,可多选)",
    "upload_help": "每行一条测评发现;表头可用英文列名或中文别名(期次、单位编码、测评点编码、结果、佐证……)",
    "validating": "正在读取和校验测评结果……",
    "upload_ok": "校验通过:{rows} 行结果,期次 {periods}。已加入本次会话,排名和单位详情页面将包含这些期次。",
    "validate_failed": "校验未通过",
    "upload_bad": "发现 {n} 个问题,未计分。请按下表逐条修改后重新上传:",
    "upload_more": "……另有 {n} 个问题,见下表(可排序、搜索和下载)。",
    "upload_replaces": "上传的期次将替换已有的同名期次:{periods}",
    "session_rounds": "本次会话已导入:{names}",
    "clear_uploads": "移除已导入的文件",
    "preview": "计分预览",
    "evidence_section": "佐证文件",
    "upload_evidence": "上传佐证文件(截图、PDF、Office 文档等,可多选)",
    "upload_evidence_help": "在测评结果的「佐证」一栏写上文件名(如 2018Q1-XXB-GK5.1.2.png),被考核单位即可在单位详情中打开该文件。"
    "文件一经保存不再更改;同名不同内容的文件须改名后上传。",
    "save_evidence": "保存佐证文件",
    "evidence_ok": "已保存 {n} 个佐证文件。",
    "evidence_bad": "发现 {n} 个问题,所有文件均未保存。请修改后重新上传:",
    "evidence_skipped": "{n} 个文件此前已保存,已跳过。",
    "evidence_stored": "存储中共有 {n} 个佐证文件。",
    "evidence_files": "佐证文件({n} 个)",
    "unsupported": "有 {n} 个失分点(或单项否决)没有佐证材料。佐证不是必填项,但没有佐证的失分无法追溯,也最容易被申诉;"
    "建议补充后重新导入,或在发布前核实。",
    "no_scores": "该期次、轨道、分组没有可排名的单位。",
    "weights": "权重",
    "weight_rule": "政务公开权重 {w:.0%}(按要求不低于 4%),折合目标管理绩效考核 {p:g} 分",
    "weight_other": "{name}单列分值:权重 {w:.0%},折合 {p:g} 分",
    "bonus_rule": "加分上限 {max:g} 分",
    "bonus_line": ";基础分达到 {line:g} 分起计加分",
    "lost_points": "失分点(按失分从大到小)",
    "no_lost_points": "本期没有失分点。",
    "dimension_profile": "一级指标得分率:本单位与组内平均、组内最高",
    "trend": "历次得分与排名",
    "tree": "指标明细",
    "sunburst": "分值结构",
    "vetoed_banner": "本期触发单项否决:{checks}",
    "not_scored": "本期该轨道没有可计分的测评点(均不适用)。",
    "rank_of": "第 {rank} 名 / 共 {of} 名",
    "group_of": "分组:{group}",
    "previous": "较上期 {delta}",
    "first_round": "首期",
    "units_ranked": "参评单位",
    "mean_score": "平均分",
    "top_grade": "{grade}单位",
    "failed_vetoed": "{grade} / 单项否决",
    "round_in_view": "当前数据:{rubric} 版本 {version};期次 {periods}",
    "viewing": "正在查看:{label}",
    "store_path": "存储文件:{path}",
    "annual_periods": "计入年度的期次(只含已发布的期次)",
    "annual_rule": (
        "年度得分 = 所选各期已发布得分的平均,四舍五入保留 {decimals} 位小数;任一期被单项否决的,年度等次为「{lowest}」;"
        "目标管理分 = 年度得分 ÷ 100 × 权重 × {total:g}。各期得分列出在右侧,可逐项核对。"
    ),
    "annual_none": "还没有已发布的期次:年度汇总只计已发布的结果。",
    "annual_pick": "请至少选择一期。",
    "target_totals": "计入目标管理绩效考核的分值(各轨道合计)",
    "target_totals_note": "每个轨道的年度得分 ÷ 100 × 权重 × {total:g} 折算为目标管理分,各轨道相加即本单位本年度政务公开、"
    "政务服务计入目标管理绩效考核的分值;未参评的轨道不计分。",
    "track_score": "{track}得分",
    "track_points": "{track}目标管理分",
    "rectify_compare": "对比上一期 {before} 的失分点,看本期 {period} 是否已整改",
    "rectify_rule": (
        "已整改:上期失分(或触发单项否决)的测评点本期得满分;部分整改:本期失分少于上期;"
        "未整改:本期失分不少于上期,或再次触发否决;新增失分:上期未失分、本期失分;"
        "本期未测:本期不涉及或缺少结果,无法判断。整改率 = 已整改 ÷(上期失分点 − 本期未测),部分整改不计入。"
    ),
    "rectify_first": "没有更早的期次可以对比:整改情况从第二期起显示。",
    "rectify_section": "整改情况(对比上一期 {before})",
    "rectify_unit_counts": "上期失分点 {before} 个:已整改 {rectified},部分整改 {partly},未整改 {not_rectified},本期未测 {unchecked};本期新增失分 {new} 个。",
    "rectify_nothing": "上一期和本期都没有失分点。",
    "rectify_detail": "查看单位明细",
    "rectify_losses": "上期失分点",
    "rectify_rate": "整改率",
    "rectify_items": "测评点(个)",
    "all_tracks": "全部轨道",
    "all_groups": "全部分组",
    "problems_rule": "按测评点统计所选单位本期的失分:失分单位 = 在该测评点失分或触发单项否决的单位;失分比例 = 失分单位 ÷ 已测评单位;"
    "平均失分 = 合计失分 ÷ 失分单位。失分单位最多的排在最前,可作为通报共性问题的依据。",
    "problems_top": "失分单位最多的测评点(前 {n} 个)",
    "problems_pick": "查看在该测评点失分的单位",
    "problems_none": "所选单位本期在该轨道没有失分。",
    "store_empty": "存储中还没有测评轮次。请在「导入测评结果」页面导入第一期测评结果。",
    "import_ok": "已导入 {files} 个文件、{rows} 行结果,期次 {periods}(草稿)。考核办可在「测评轮次」页面推进到反馈、申诉复核和发布。",
    "actor": "操作人",
    "status": "状态",
    "change_status": "转为",
    "publish": "发布本期结果",
    "reason": "理由",
    "reason_required": "重新开放已发布的轮次或发布新版本须写明理由",
    "verify": "核验已发布结果",
    "verify_ok": "核验通过:{snapshots} 个已发布版本,逐行比对 {rows} 行,佐证文件 {files} 个,全部一致。",
    "verify_bad": "核验发现 {n} 处不同:",
    "file_appeal": "提出申诉",
    "appeal_check": "申诉的测评点",
    "appeal_reason": "申诉理由",
    "appeal_proof": "证明材料(网址、截图名、文号)",
    "appeal_files": "证明材料文件(截图、PDF、Office 文档等,可多选)",
    "appeal_files_help": "文件随申诉一并保存,复核人可直接打开;每个文件不超过 20 MB。",
    "submit_appeal": "提交申诉",
    "appeal_filed": "已登记申诉 {id}。",
    "appeal_list": "申诉记录",
    "decide": "复核",
    "decide_appeal": "选择待复核的申诉",
    "uphold": "维持原结果",
    "correct": "更正为",
    "decision_reason": "复核理由",
    "submit_decision": "提交复核结论",
    "decided": "申诉 {id} 已复核。",
    "appeal_not_open": "本期不在反馈或申诉复核阶段,不受理申诉。",
    "no_appeals": "暂无申诉。",
    "no_open_appeals": "没有待复核的申诉。",
    "audit": "操作记录(审计日志)",
    "confirm": "确定",
    "missing_results": "{units} 个单位还缺少 {n} 条测评结果;发布前须补齐(导入补充的结果文件)。",
    "add_account": "新建账号",
    "change_account": "停用、启用或重设密码",
    "role": "角色",
    "account_unit": "绑定单位(仅被考核单位账号)",
    "no_unit": "(不绑定)",
    "password_again": "再次输入密码",
    "passwords_differ": "两次输入的密码不一致。",
    "new_password": "新密码(仅重设密码时填写)",
    "account_action": "操作",
    "account_disable": "停用",
    "account_enable": "启用",
    "account_password": "重设密码",
    "account_added": "已创建账号 {name}。",
    "account_disable_done": "已停用账号 {name}。",
    "account_enable_done": "已启用账号 {name}。",
    "account_password_done": "已重设账号 {name} 的密码。",
    "account_active": "正常",
    "account_disabled": "停用",
    "not_yourself": "不能停用自己正在使用的账号。",
    "round_published": "{period} · {status} 第 {revision} 版",
    "round_preliminary": "{period} · {status}(初步结果,未发布)",
    "published_as": "期次 {period} 已发布第 {rev} 版。发布摘要(sha256):{digest} —— 请另行保存,日后可据此核对存档未被改动",
    "status_changed": "期次 {period} 已转为「{status}」",
    "revision_n": "第 {n} 版",
    "rubric_caption": "{title} · {id} 版本 {version}",
    "rubric_source": " · 依据 {source}",
    "checks_count": "{n} 个测评点",
    "dimension_title": "{id} {name}({points:g} 分,{n} 个测评点)",
    "appeal_check_option": "{check} {name}(失分 {lost:g})",
    "appeal_option": "申诉 {id}:{unit} {check} — {reason}",
    "evidence_link": "链接",
    "open_evidence": "打开佐证",
    "vetoed_mark": "✖ 否决",
}

# 整改跟踪: what became of each earlier lost point (scoring/rectification.py)
RECTIFY = RECTIFICATION_NAMES

COLUMN = {
    "rank": "排名",
    "unit_id": "单位编码",
    "unit_name": "单位",
    "score": "得分",
    "base": "基础分",
    "bonus": "加分",
    "grade": "等次",
    "target_points": "目标管理分",
    "rank_change": "排名变化",
    "score_change": "得分变化",
    "vetoed": "单项否决",
    "rank_of": "参评单位数",
    "rounds": "参评期数",
    "track": "轨道",
    "dimension_id": "一级指标编码",
    "dimension_name": "一级指标",
    "check_id": "测评点编码",
    "check_name": "测评点",
    "method": "方法",
    "status": "情况",
    "value": "测评结果",
    "earned": "得分",
    "max": "满分",
    "lost": "失分",
    "criteria": "评分标准",
    "computation": "计算过程",
    "basis": "依据",
    "evidence": "佐证",
    "findings": "发现条数",
    "percent": "得分率%",
    "group_mean": "组内平均%",
    "group_best": "组内最高%",
    "period": "期次",
    "file": "文件",
    "sheet": "工作表",
    "row": "行",
    "column": "列",
    "message": "问题",
    "scope": "适用范围",
    "points_text": "分值",
    "indicator_name": "二级指标",
    "count": "单位数",
    "lost_before": "上期失分",
    "lost_now": "本期失分",
    "value_before": "上期结果",
    "value_now": "本期结果",
    "rectify_status": "整改情况",
    "losses_before": "上期失分点",
    **RECTIFY,
    "rate": "整改率%",
    "total_points": "合计目标管理分",
    "tested": "已测评单位",
    "losing": "失分单位",
    "loss_rate": "失分比例%",
    "lost_mean": "平均失分",
    "lost_total": "合计失分",
    "points": "分值",
}

AUTH = {
    "title": "登录",
    "name": "账号",
    "password": "密码",
    "submit": "登录",
    "sign_out": "退出登录",
    "expired": "长时间未操作,已自动退出,请重新登录。",
    "demo": "演示模式:以下是本次启动新建的演示账号,可用任一角色登录体验。演示模式下的数据均为模拟数据。",
    "no_accounts": "还没有任何账号。请由考核办在服务器上创建第一个管理员账号:"
    "assess user add 账号 --role admin --password-stdin",
    "signed_in": "已登录:{user}",
    "denied": "当前账号无权查看该内容。",
    "demo_banner": "演示模式",
}

STATUS = {"scored": "已测评", "na": "不涉及", "missing": "缺少结果", "veto": "单项否决"}
YES, NO = "是", "否"

# the store's tables as the rounds page shows them
ROUND_COLUMNS = {
    "period": "期次", "status": "状态", "rubric_id": "指标体系", "rubric_version": "版本", "batches": "导入批次",
    "findings": "结果行数", "open_appeals": "待复核申诉", "revision": "已发布版本", "digest": "发布摘要(sha256)",
}  # fmt: skip
AUDIT_COLUMNS = {"at": "时间", "actor": "操作人", "action": "操作", "target": "对象", "detail": "说明"}
APPEAL_COLUMNS = {
    "id": "编号", "period": "期次", "unit_id": "单位编码", "check_id": "测评点编码", "reason": "申诉理由",
    "proof": "证明材料", "filed_by": "申诉人", "filed_at": "申诉时间", "outcome": "复核结论", "new_value": "更正结果",
    "decision_reason": "复核理由", "decided_by": "复核人", "decided_at": "复核时间",
}  # fmt: skip

# a recorded value as a person reads it (ui.tables.value_text)
VALUE_WORDS = {"pass": "通过", "fail": "未通过", "happened": "发生", "not_happened": "未发生", "items": "{n:g} 条"}

# chart legends and labels
CHART = {"own": "本单位", "group_mean": "组内平均", "group_best": "组内最高", "rank_text": "第%{text}名"}

# names of downloaded files
FILE = {
    "ranking": "排名_{period}_{track}_{group}",
    "leaders": "汇总_{period}.xlsx",
    "circular": "通报草稿_{period}.txt",
    "annual": "年度汇总_{first}-{last}_{track}_{group}",
    "annual_totals": "目标管理分_{first}-{last}_{group}",
    "annual_workbook": "年度汇总_{first}-{last}.xlsx",
    "rectification": "整改跟踪_{before}-{period}_{track}_{group}",
    "problems": "共性问题_{period}_{track}_{group}",
    "unit_report": "测评报告_{unit}_{period}.xlsx",
    "template": "测评模板_{period}.xlsx",
}
# sheet names of single-table workbooks
SHEET = {"ranking": "排名", "annual": "年度汇总", "annual_totals": "目标管理分", "rectification": "整改跟踪",
         "problems": "共性问题"}  # fmt: skip
# the demo accounts' table on the sign-in page
CREDENTIAL_COLUMNS = ["角色", "账号", "密码", "单位"]
ACCOUNT_COLUMNS = {"name": "账号", "role": "角色", "unit_id": "单位编码", "disabled": "状态", "demo": "演示账号",
                   "created_at": "创建时间"}  # fmt: skip
MISSING_COLUMNS = {"unit_id": "单位编码", "unit_name": "单位", "missing": "缺少条数", "checks": "缺少结果的测评点"}
