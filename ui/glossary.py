"""Every word the app shows, in one place (Simplified Chinese; the users are Chinese officials)."""

from __future__ import annotations

from scoring.views.rectification import RECTIFICATION_NAMES
from scoring.words import CONTENT_ANNEX_COLUMNS
from scoring.words import UNSCORED as _UNSCORED
from scoring.words import VALUE_WORDS as _VALUE_WORDS

APP_TITLE = "政务公开政务服务绩效考核"
DEMO_NOTE = "当前为演示数据(2017Q3–2018Q2 四期模拟测评结果),不代表任何单位的真实情况。"
# ASSESS_DEMO=gov-website-2019: the national inspection on the demo's websites
NATIONAL_DEMO = {"title": "2018年第三季度 政府网站检查(国办秘函〔2019〕19号)", "monitor_file": "网站监测.csv",
                 "hand_file": "检查记录.csv"}  # fmt: skip
NATIONAL_DEMO_NOTE = (
    "当前为演示数据(按国办秘函〔2019〕19号政府网站检查指标对演示网站的一期模拟检查),不代表任何网站的真实情况。"
)

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
    "monitor": "网站监测",
    "records": "政务服务记录",
    "agreement": "评分一致性",
    "quality": "指标质量",
}

LABEL = {
    "quality_intro": "各测评点在本期能否区分各单位:满分和零分单位占比、不涉及占比、不同结果数、平均失分,"
    "以及与所在一级指标、所在轨道其余测评点得分率的相关(已剔除本测评点);各一级指标的 Cronbach's α。"
    "提示:区分度低(满分或零分单位占 {full} 及以上,或结果全部相同)、方向存疑(相关系数小于 0)、"
    "覆盖不足(不涉及超过 {na})。据此修订下一年度的指标体系。",
    "quality_summary": "本期 {checks} 个测评点,{flagged} 个有提示。",
    "quality_only_flagged": "只看有提示的测评点",
    "quality_chart": "各测评点满分单位占比(红色为有提示的测评点;虚线为 {full})",
    "quality_dimensions": "一级指标内部一致性(Cronbach's α)",
    "quality_alpha_help": "α 只计入该一级指标中半数以上单位都已测评的测评点;少于 2 个、或总分没有差异时为空。",
    "recheck_title": "抽查复核",
    "recheck_intro": "从本期已填写的测评结果中,按测评人 × 分组 × 计分方法分层随机抽样(每层至少 1 项,其余按各层结果数分配),"
    "生成不含原结果的复核模板;请另一位评估人员独立复核后,在下方上传。同一随机种子、同一批结果抽出同一样本。",
    "recheck_size": "抽取数",
    "recheck_seed": "随机种子",
    "recheck_download": "下载复核模板",
    "recheck_drawn": "将抽取 {n} 项(共 {strata} 层、{population} 项结果)。",
    "recheck_empty": "本期还没有已填写的测评结果,无法抽样。",
    "reconcile_title": "对账清单",
    "reconcile_intro": "两次结果不一致的各项:原结果和复核结果、各自的得分,以及全部按复核结果重算后该单位的得分和排名。",
    "reconcile_none": "比较的结果两次全部一致,无需对账。",
    "print_mode": "打印版式",
    "print_mode_help": "排名总览、单位详情和年度汇总的表格完整显示全部行列,便于用浏览器打印(A4)",
    "agreement_intro": "请另一位评估人员对部分单位独立测评,上传其结果,与本期已导入的结果逐测评点比较:一致率,以及扣除偶然一致后的"
    " Krippendorff's α(1 为完全一致,0 相当于随机)。α 低于 0.667 的测评点需明确评分标准或加强培训。",
    "agreement_upload": "第二位评估人员的测评结果(CSV 或 Excel,格式同导入测评结果;可只含部分单位)",
    "agreement_upload_help": "只比较两份结果都有、且都不是“不涉及”的测评点;不会导入,也不会修改已保存的结果",
    "agreement_none": "上传的结果与期次 {period} 已导入的结果没有可比较的测评点(期次、单位编码或测评点编码不同)。",
    "agreement_summary": "比较了 {units} 个单位的 {pairs} 对结果,涉及 {checks} 个测评点。",
    "agreement_low": "{n} 个测评点的 α 低于 {floor}:评分标准需要明确。",
    "agreement_flag": "⚠ 需明确评分标准",
    "agreement_all": "合计(按方法)",
    "agreement_only_second": "另有 {n} 个结果只在上传的文件中(本期没有对应的结果),未比较。",
    "priority_title": "整改优先级",
    "priority_note": "按单独整改该项可挽回的得分排序;“整改后得分”和“整改后排名”为从第一项起依次整改到该项为止(其他单位按公布的得分不变)。",
    "whatif_title": "假设分析:改变测评结果,看得分和排名如何变化",
    "whatif_note": "只在本页计算,不会修改已保存的测评结果。在“假设结果”一列改写结果(如 1/0、良、85%、3),然后点“重新计算”。",
    "whatif_run": "重新计算",
    "whatif_result": "{track}:得分 {before:.2f} → {after:.2f},排名 第 {rank_before} 名 → 第 {rank_after} 名",
    "whatif_bad": "假设结果有 {n} 处无法计分:",
    "robust_title": "排名稳健性",
    "robust_toggle": "显示排名区间(各一级指标权重上下浮动 25%,1000 次模拟)",
    "robust_note": "点为公布的名次;横线为 90% 的模拟中名次的范围。相邻两个单位的区间重叠时,二者的名次差异不显著。",
    "robust_overlaps": "{n} 对相邻单位的排名差异不显著:{pairs}",
    "robust_none": "相邻单位的排名区间均不重叠:本组排名在权重变化下稳定。",
    "robust_pair": "{a} 与 {b}",
    "monitor_intro": "按站点清单探测各单位网站(首页可访问性、首页和栏目更新、空白栏目、不可用链接、指定页面),"
    "每个测评点得出一行测评结果(测评人 monitor),连同网址、状态和日期作为佐证;探测记录和网页存档保存在本系统中。",
    "monitor_no_checks": "当前指标体系中没有可由网站监测自动测评的测评点(测评点上的 monitor: 设置)。",
    "monitor_checks": "自动测评的测评点:{checks}",
    "monitor_as_of": "测评日",
    "monitor_as_of_help": "栏目和首页的更新天数算到这一天;同一网站、同一测评日得出相同的结果",
    "monitor_sites": "站点清单(CSV 或 Excel)",
    "monitor_sites_help": "列:单位编码、栏目、类型(home 首页 / news 动态 / notice 通知公告 / policy 政策文件 / "
    "static 静态栏目 / page 页面)、网址;每个单位恰有一行首页",
    "monitor_demo_sites": "演示模式:未上传站点清单时,监测本机上的 {n} 个演示网站(127.0.0.1,非真实政府网站)。",
    "monitor_run": "开始监测",
    "monitor_progress": "已探测 {done} / {total} 个网址",
    "monitor_rows": "本次监测得出的测评结果({n} 行,测评日 {as_of})",
    "monitor_without_sites": "站点清单中没有这些单位,未监测:{units}",
    "monitor_unfinished": "监测已到时限({minutes:g} 分钟),以下测评点所需的网页或链接未访问完,未得出结果(可稍后重新监测):{items}",
    "monitor_import": "作为一个批次导入本期",
    "monitor_import_by": "监测结果由第三方评估机构的账号导入本期(与其他测评结果相同)。",
    "monitor_imported": "已导入 {n} 行监测结果到期次 {period};可像其他结果一样申诉和更正。",
    "monitor_warnings": "预警",
    "monitor_due": "{n} 个栏目将在 7 天内超过更新期限:",
    "monitor_no_due": "没有 7 天内将超过更新期限的栏目。",
    "monitor_due_after_run": "栏目更新预警在本次会话中运行监测后显示。",
    "monitor_stored": "下表为本期最近一次监测的结果(已保存为 {name});可直接导入,或重新监测。",
    "monitor_unit": "查看单位的佐证(网页存档)",
    "monitor_probes": "各单位首页的最近探测",
    "monitor_no_probes": "本期还没有探测记录。",
    "monitor_failing": "近 7 天首页打不开的比例超过 3% 的单位:{units}",
    "fixes_title": "网站内容问题整改",
    "fixes_intro": "网站监测读取各单位网页、文章和附件中的错误表述、未遮盖的身份证号码、暗链和超期未回复的留言。"
    "每个问题记下首次和最近发现的监测;此后某次监测读完该单位全部网页而不再发现它,即记为已整改。"
    "下表为各单位最近一次监测与上一次相比:新发现、仍存在和已整改的问题(身份证号码只显示前 4 位和后 2 位)。",
    "fixes_unit_intro": "本单位网站最近一次监测与上一次相比:新发现、仍存在和已整改的内容问题。",
    "fixes_none": "还没有网站内容问题的记录:指标体系含内容检查的测评点时,每次监测的发现都记在这里。",
    "fixes_counts": "各单位问题数",
    "fixes_unit": "单位",
    "fixes_all_units": "全部单位",
    "fixes_list": "问题清单({n} 条)",
    "fixes_annex": "下载整改清单(通报附件,Excel)",
    "words_title": "错误表述清单",
    "words_intro": "网站监测按这份清单查找错误和过时的表述(如机构改革前的机构名称);正确表述中包含的错误表述不计。"
    "每次保存为一个新版本,监测记录所用的版本,已发布的结果可据此复核。",
    "words_latest": "当前为第 {id} 版({name},{n} 条),{by} 于 {at}(北京时间)保存。",
    "words_none": "还没有错误表述清单:请在下表中填写后保存,或上传文件。",
    "words_save": "保存为新版本",
    "words_saved": "已保存为第 {id} 版;此后的监测使用这一版本。",
    "words_same": "清单未改动(与第 {id} 版相同)。",
    "words_bad": "清单有 {n} 处问题,未保存:",
    "words_upload": "或上传清单文件(CSV 或 Excel:错误表述、正确表述、严重程度)",
    "words_upload_save": "保存上传的清单为新版本",
    "words_versions": "历史版本",
    "words_edited_name": "页面编辑",
    "monitor_words_used": "监测使用错误表述清单第 {id} 版({n} 条;在本页下方修改)。",
    "monitor_words_none": "还没有错误表述清单:本次监测不检查错误表述(在本页下方填写或上传)。",
    "period": "期次",
    "track": "考核轨道",
    "group": "分组",
    "unit": "单位",
    "grade_distribution": "等次分布",
    "rank_history": "历次得分与排名",
    "rank_history_note": "每格颜色为该期得分,数字为该期组内排名;单位按所选期次的排名排列。",
    "chart_search": "在图中查找单位",
    "chart_search_help": "输入单位名称的一部分,图中加上名称含该文字的单位(最多 20 个)",
    "chart_ends": "本组共 {n} 个单位,图中显示排名前 {ends} 名、后 {ends} 名{found};完整排名见上表。",
    "chart_found": "和查找到的 {n} 个单位",
    "chart_worst": "本组共 {n} 个单位,图中显示未整改最多的 {ends} 个和最少的 {ends} 个{found};完整情况见上表。",
    "score_chart": "得分",
    "download_csv": "下载表格(CSV)",
    "download_xlsx": "下载表格(Excel)",
    "download_report": "下载本单位测评报告(Excel)",
    "download_leaders": "下载本期汇总(Excel)",
    "download_circular": "下载通报草稿(文本)",
    "download_circular_docx": "下载通报草稿(Word)",
    "download_annual": "下载年度汇总工作簿(Excel)",
    "download_template": "下载测评填报模板(Excel)",
    "download_rubric": "下载指标体系文件(YAML)",
    "download_schema": "下载指标体系 JSON Schema",
    "schema_help": "编写下一年度指标体系时使用:与 YAML 文件放在同一文件夹,VS Code 等编辑器(装 YAML 插件)即可自动补全、"
    "悬停说明并标出拼错的键和超出范围的值;分值合计、4% 权重等规则仍以上传或 assess validate 的检查为准",
    "template_period": "模板期次(已开启的期次)",
    "no_open_round": "考核办尚未开启任何期次;开启后才能导入结果和下载该期的填报模板(「测评轮次」页面)。",
    "import_pending": "{n} 行尚未填写结果,已跳过;在发布前它们仍按缺少结果列出。",
    "import_already": "{n} 行与已导入的结果完全相同,已跳过(同一模板补填后再次上传时如此)。",
    "open_round": "开启新期次",
    "confirm_final": "我已核对:发布(或重新开放已发布的期次)将形成新的正式版本,不可撤销",
    "confirm_final_needed": "发布或重新开放前,请先勾选上方的确认框",
    "open_round_period": "期次编码(1–32 个字母、数字、- 或 _,如 2018Q3)",
    "open_round_title": "名称(可选,如 2018年第三季度)",
    "open_round_button": "开启期次",
    "round_opened": "期次 {period} 已开启,评估机构可以导入测评结果",
    "opened_waiting": "已开启、尚未导入结果的期次:{periods}",
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
    "validated": "校验通过",
    "preview_note": "按目前已导入的结果试算;尚无任何结果的单位为“未测”,结果未录完的单位为“未测完”,都不参加排名;"
    "结果录完的单位只在录完的单位中排名。",
    "not_tested": "未测",
    "recorded": "已录结果",
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
    "bonus_above_line": ";基础分高于 {line:g} 分才计加分",
    "lost_points": "失分点(按失分从大到小)",
    "no_lost_points": "本期没有失分点。",
    "dimension_profile": "一级指标得分率:本单位与组内平均、组内最高",
    "trend": "历次得分与排名",
    "tree": "指标明细",
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
    "store_empty": "存储中还没有测评结果。考核办在「测评轮次」页面开启期次后,评估机构在「导入测评结果」页面导入。",
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
    "appeals_waiting": "{page}({n} 件待复核)",
    "groups_overview": "各组概览(本期次、本轨道的全部分组)",
    "first_place": "第一名",
    "last_place": "末位",
    "group_hidden": "本期结果发布前,单位只能看到本单位的得分;组内平均和组内最高在发布后显示。",
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
    "publish_allow_missing": "缺少的结果按 0 分计,照常发布({units} 个单位、{n} 条结果;这些测评点在得分表中标为“缺少结果”)",
    "publish_missing": "{units} 个单位还缺少测评结果(见上表),未发布;补齐结果,或勾选“缺少的结果按 0 分计”后再发布。",
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
    "rubric_caption": "{title} · 版本 {version}",
    "rubric_source": " · 依据 {source}",
    "checks_count": "{n} 个测评点",
    "dimension_title": "{id} {name}({points:g} 分,{n} 个测评点)",
    "appeal_check_option": "{check} {name}(失分 {lost:g})",
    "appeal_option": "申诉 {id}:{unit} {check} — {reason}",
    "evidence_link": "链接",
    "open_evidence": "打开佐证",
    "vetoed_mark": "✖ 否决",
    # issue 29 items 11–15 (the offices' formats)
    "points_structure": "分值结构",
    "points_structure_note": "方块大小按分值;点击一级指标可展开其二级指标,点击上方路径返回。",
    "track_base_points": "{name}基础分满分 {points:g} 分,折算为 100 分制:得分 = 实得基础分 ÷ 应得基础分 × 100"
    "(不涉及的测评点不计入应得基础分),再计加分。",
    "dimension_title_share": "{id} {name}({points:g} 分,折合百分制 {share:.1f} 分;{n} 个测评点)",
    # issue 29 (pages that never mislead): an open round said as such, and the pages' workflow
    "incomplete": "未测完",
    "unscored": _UNSCORED,  # 单项否决 of effect unscored: 不合格, no number where the score would be
    "progress_open": "本期结果尚未录完:已录入 {recorded:,} / {applicable:,} 项。结果未录完的单位显示为“未测完”,"
    "不计得分、不排名、不评等次;结果录完的单位只在录完的单位中排名(初步结果)。",
    "progress_open_done": "本期结果已全部录入({applicable:,} 项),尚未发布:排名为初步结果。",
    "progress_published_gaps": "本期按缺少结果发布:已录入 {recorded:,} / {applicable:,} 项,缺少的 {missing:,} 项按 0 分计"
    "(考核办发布时的决定)。",
    "no_complete_units": "该分组还没有结果录完的单位,暂无排名。",
    "circular_not_yet": "本期结果尚未录完(已录入 {recorded:,} / {applicable:,} 项),暂不提供通报;结果录完或发布后可下载。",
    "robust_not_yet": "本期结果尚未录完,排名稳健性在结果录完后计算。",
    "recorded_of": "{recorded:,} / {applicable:,}",
    "unit_recorded": "结果未录完:已录入 {recorded:,} / {applicable:,} 项;录完后计分、排名",
    "unit_report_not_yet": "该单位本期结果尚未录完,录完后可下载单位报告。",
    "records_intro": "上传政务服务平台导出的办件、好差评和政务新媒体记录,按指标体系计算政务服务测评点(如网上可办率、按期办结率):"
    "每个单位、每个测评点得出一行测评结果(测评人 records),佐证写明计数和扣分的记录编号;结果文件随本期保存。",
    "records_no_checks": "当前指标体系中没有由办件、评价记录计算的测评点(测评点上的 records: 设置)。",
    "records_checks": "由记录计算的测评点:{checks}",
    "records_window": "{start} 至 {end}",
    "records_window_to": "截至 {end}",
    "records_no_open_round": "没有正在录入结果(草稿阶段)的期次:政务服务记录的结果只能导入草稿期次。请考核办先开启新的期次。",
    "records_from": "统计区间起始日",
    "records_to": "统计区间截止日",
    "records_window_help": "含起止两日;办件按受理或办结日期、评价按评价日期计入。默认为本期所在季度。截止日即测评时间",
    "records_cases": "办件记录(可多个文件)",
    "records_ratings": "好差评记录(可多个文件)",
    "records_accounts": "政务新媒体账号",
    "records_posts": "政务新媒体发文记录(可多个文件)",
    "records_files_help": "CSV(UTF-8 或 GB18030)、Excel 或 Parquet,中文或英文列名;多余的列不读。"
    "一期应读入截至本期的全部导出文件:上期受理的办件可能在本期办结",
    "records_need_files": "请上传至少一类记录(办件、好差评,或政务新媒体账号与发文)。",
    "records_demo_files": "演示模式:未上传文件时,可用演示用的平台导出数据(模拟数据,非真实记录):{files}",
    "records_demo": "用演示数据计算",
    "records_run": "计算",
    "records_computing": "正在读取记录并计算……",
    "records_nothing": "所给文件不足以计算任何由记录计算的测评点(例如测评点需要办件记录而只给了评价记录,或只给了账号而没有发文记录)。"
    "未保存结果。",
    "records_bad": "记录文件中发现 {n} 个问题,未计算。请按下表逐条修改后重新上传:",
    "records_read": "已读取办件 {cases:,} 件、评价 {ratings:,} 条、账号 {accounts:,} 个、发文 {posts:,} 条;结果文件已保存为 {kept}",
    "records_outside": "{n:,} 条{kind}记录不在统计区间内,未计入",
    "records_off_roster": "{n:,} 条{kind}记录的单位不在单位名单中,未计入",
    "records_kind_cases": "办件",
    "records_kind_ratings": "评价",
    "records_kind_accounts": "账号",
    "records_kind_posts": "发文",
    "records_stored": "下表为本期最近一次计算的结果(已保存为 {name});可直接导入,或重新计算。",
    "records_rows": "计算得出的测评结果({n} 行,统计区间 {window})",
    "records_import": "作为一个批次导入本期",
    "records_import_by": "计算结果由第三方评估机构的账号导入本期(与其他测评结果相同)。",
    "records_lost": "由办件、评价记录计算的失分点及扣分记录编号(最需关注的在前,至多 5 个):",
    "records_imported": "已导入 {n} 行政务服务记录结果到期次 {period};可像其他结果一样申诉和更正。",
    "monitor_no_open_round": "没有正在录入结果(草稿阶段)的期次:网站监测的结果只能导入草稿期次。请考核办先开启新的期次。",
    "annual_which": "本汇总为 {years} 年度,计入 {n} 期:{periods}。",
    "annual_years_mixed": "所选期次跨越 {years} 多个年度;年度汇总通常只计同一年度的期次。",
    "account_pick_action": "请先选择操作:停用、启用或重设密码。",
    "agreement_too_few": "比较对数少于 2,α 无定义",
    "agreement_no_variation": "全部一致(所有结果相同),α 无定义",
    "agreement_small_sample": "样本较少(少于 {n} 对),仅供参考",
    "agreement_low_small": "另有 {n} 个测评点的 α 低于 {floor},但比较对数少于 {small},仅供参考;扩大抽样后再判断。",
    "import_replaced": "{n} 项结果已按此文件更正(草稿阶段,本人导入的结果);原结果保留在记录中,更正已记入操作日志。",
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
    # issue 29: how far an open round's results are in, per unit
    "recorded": "已录结果",
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
    "reload_note": "刷新或重新打开页面后需重新登录:为安全起见,登录状态只保存在本次打开的页面中,不写入浏览器。",
    "denied": "当前账号无权查看该内容。",
    "demo_banner": "演示模式",
    "store_unusable": "测评数据库现在无法使用:{problem}。请联系考核办或系统管理员处理。",
}
# why an open session was ended at its next page run (scoring.store.access.account_problem)
AUTH_ENDED = {
    "disabled": "您的账号已被考核办停用,已退出登录。如有疑问,请联系考核办。",
    "password": "您的账号密码已被重置,已退出登录。请用新密码重新登录。",
    "changed": "您的账号角色或所属单位已变更,已退出登录。请重新登录,以新的权限继续使用。",
    "unknown": "您的账号已不存在,已退出登录。如有疑问,请联系考核办。",
}

STATUS = {"scored": "已测评", "na": "不涉及", "missing": "缺少结果", "veto": "单项否决"}
YES, NO = "是", "否"

# the store's tables as the rounds page shows them
ROUND_COLUMNS = {
    "period": "期次", "status": "状态", "rubric_id": "指标体系", "rubric_version": "版本", "batches": "导入批次",
    "findings": "结果行数", "open_appeals": "待复核申诉", "revision": "已发布版本", "digest": "发布摘要(sha256)",
}  # fmt: skip
AUDIT_COLUMNS = {"at": "时间(北京时间)", "actor": "操作人", "action": "操作", "target": "对象", "detail": "说明"}
# the audit log's actions as the office reads them (an unlisted one shows as recorded)
AUDIT_ACTIONS = {
    "round.open": "开启期次", "round.create": "建立测评轮次", "round.status": "改变轮次状态", "round.publish": "发布",
    "batch.import": "导入测评结果", "appeal.file": "提出申诉", "appeal.upheld": "复核:维持原结果",
    "appeal.corrected": "复核:更正结果", "evidence.add": "保存佐证文件", "user.add": "新建账号",
    "user.disable": "停用账号", "user.enable": "启用账号", "user.passwd": "修改密码", "sign-in": "登录",
    "sign-in.failed": "登录失败", "sign-in.locked": "登录被锁定", "sign-out": "退出登录",
    "sign-out.ended": "账号变更,会话结束", "demo.seed": "载入演示数据", "demo.claim": "开始载入演示数据",
    "denied": "被拒绝的操作", "monitor.run": "网站监测", "records.run": "政务服务记录计算",
    "finding.replace": "草稿阶段更正结果", "words.save": "保存错误表述清单",
}  # fmt: skip
AUDIT_TARGETS = {"store": "测评数据库"}
# the stored audit details (written in English by the store, insert-only) as the office reads them:
# (pattern, Chinese with the pattern's groups); a detail no pattern matches shows as recorded
AUDIT_DETAILS = [
    (r"^role (\w+), unit (\S+)$", "角色:{role};单位:{unit}"),
    (r"^role (\w+)$", "角色:{role}"),
    (r"^appeal (\d+): ", "申诉 {0}:"),
    (r"^(\d+) bytes, sha256 ", "{0} 字节,sha256 "),
    (r"^batch (\d+), (\d+) rows, sha256 ", "第 {0} 批,{1} 行,sha256 "),
    (r"^revision (\d+)", "第 {0} 版"),
    (r"^rubric (\S+) (\S+)$", "指标体系 {rubric},版本 {1}"),
    (r"^(\w+) -> (\w+)", "{from_status} → {to_status}"),
    (r"^demo rounds (\S+) loaded$", "载入演示数据 {0}"),
    (r"^seeding the demo rounds$", "由本进程载入演示数据(其他进程不再重复载入)"),
    (r"^demo round (\S+) on (\S+) loaded$", "载入演示数据 {0}(指标体系 {1})"),
    (
        r"^(\d+) probes, (\d+) pages kept, content run (\d+): (\d+) findings$",
        "探测 {0} 个网址,保存网页 {1} 个,内容检查记录 {2}:发现 {3} 个问题",
    ),
    (r"^(\d+) probes, (\d+) pages kept$", "探测 {0} 个网址,保存网页 {1} 个"),
    (r"^version (\d+), (\d+) entries, sha256 ", "第 {0} 版,{1} 条,sha256 "),
    (r"^(\S+\.csv), (\d+) bytes$", "结果文件 {0},{1} 字节"),
    (r"^finding (\d+) -> (\d+): ", "结果记录 {0} 由记录 {1} 取代:"),
]
APPEAL_COLUMNS = {
    "id": "编号", "period": "期次", "unit_id": "单位", "check_id": "测评点", "reason": "申诉理由",
    "proof": "证明材料", "filed_by": "申诉人", "filed_at": "申诉时间", "outcome": "复核结论", "new_value": "更正结果",
    "decision_reason": "复核理由", "decided_by": "复核人", "decided_at": "复核时间",
}  # fmt: skip

# a recorded value as a person reads it (scoring.views.values_shown.value_text)
VALUE_WORDS = _VALUE_WORDS

# chart legends and labels
CHART = {
    "own": "本单位",
    "group_mean": "组内平均",
    "group_best": "组内最高",
    "rank_text": "第%{text}名",
    "treemap_label": "%{label}<br>%{customdata[0]} 分 · 折合百分制 %{customdata[1]:.1f} 分",
    "interval_axis": "名次(点:公布的名次;横线:90% 的模拟落在其中)",
    "interval_hover": "%{y}<br>公布名次 %{x}<br>模拟名次 %{customdata[0]}–%{customdata[1]},中位 %{customdata[2]}<extra></extra>",
}

# the 评分一致性 page's table
AGREEMENT_COLUMNS = {"check": "测评点", "method": "计分方法", "pairs": "比较对数", "agreement": "一致率",
                     "alpha": "Krippendorff's α", "flag": "提示"}  # fmt: skip

# the unit page's 整改优先级 and what-if tables
PRIORITY_COLUMNS = {"track": "轨道", "check_name": "测评点", "regained": "可挽回得分", "score_after": "整改后得分",
                    "rank_after": "整改后排名"}  # fmt: skip
WHATIF_COLUMNS = {"check_id": "测评点编码", "check_name": "测评点", "now": "当前结果", "value": "假设结果"}

# the 网站监测 page's tables
MONITOR_COLUMNS = {"unit": "单位", "check": "测评点", "value": "结果", "evidence": "佐证(网址、状态、日期)", "column": "栏目",
                   "url": "网址", "newest": "最新日期", "days_left": "距期限(天)", "at": "最近探测(北京时间)",
                   "outcome": "结果", "probes": "本期探测次数", "failed": "失败次数"}  # fmt: skip

# the 政务服务记录 page's table
RECORDS_COLUMNS = {"unit": "单位", "check": "测评点", "value": "结果", "numerator": "符合条件", "denominator": "统计总数",
                   "lost": "扣分记录数", "worst": "扣分记录(编号,最需关注的在前)", "evidence": "佐证(计数和记录编号)"}  # fmt: skip

# names of downloaded files
FILE = {
    "agreement": "评分一致性_{period}",
    "quality": "指标质量_{period}",
    "recheck": "抽查复核_{period}_种子{seed}.xlsx",
    "reconcile": "对账清单_{period}",
    "monitor": "网站监测_{period}",
    "monitor_batch": "网站监测_{period}_{as_of}.csv",
    "records": "政务服务记录_{period}",
    "records_batch": "政务服务记录_{period}_{to}.csv",
    "missing": "{period} 缺少结果的单位",
    "ranking": "排名_{period}_{track}_{group}",
    "leaders": "汇总_{period}.xlsx",
    "circular": "通报草稿_{period}.txt",
    "circular_docx": "通报草稿_{period}.docx",
    "annual": "年度汇总_{first}-{last}_{track}_{group}",
    "annual_totals": "目标管理分_{first}-{last}_{group}",
    "annual_workbook": "年度汇总_{first}-{last}.xlsx",
    "rectification": "整改跟踪_{before}-{period}_{track}_{group}",
    "problems": "共性问题_{period}_{track}_{group}",
    "unit_report": "测评报告_{unit}_{period}.xlsx",
    "template": "测评模板_{period}.xlsx",
    "content_annex": "网站内容问题整改清单_{date}.xlsx",
}
# the words list's versions as the page lists them
WORDS_VERSION_COLUMNS = {"id": "版本", "name": "来源", "entries": "条数", "saved_at": "保存时间(北京时间)",
                         "saved_by": "保存人"}  # fmt: skip
FIXES_COUNT_COLUMNS = {"unit": "单位", "new": "新发现", "still": "仍存在", "fixed": "已整改"}
CONTENT_COLUMNS = CONTENT_ANNEX_COLUMNS
# sheet names of single-table workbooks
SHEET = {"missing": "缺少结果", "ranking": "排名", "annual": "年度汇总", "annual_totals": "目标管理分", "rectification": "整改跟踪",
         "problems": "共性问题"}  # fmt: skip
# the demo accounts' table on the sign-in page
CREDENTIAL_COLUMNS = ["角色", "账号", "密码", "单位"]
ACCOUNT_COLUMNS = {"name": "账号", "role": "角色", "unit_id": "单位", "disabled": "状态", "demo": "演示账号",
                   "created_at": "创建时间"}  # fmt: skip
MISSING_COLUMNS = {"unit_id": "单位编码", "unit_name": "单位", "missing": "缺少条数", "checks": "缺少结果的测评点"}

# Streamlit's own English (its widgets' built-in texts, tooltips and accessible names), which its
# API cannot set: ui/streamlit_words.py puts the Chinese in their place in the browser (issue 29)
STREAMLIT_WORDS = {
    "Upload": "上传文件", "Browse files": "选择文件", "Drag and drop file here": "将文件拖放到此处",
    "Drag and drop files here": "将文件拖放到此处", "Drop file here to upload": "松开鼠标即上传",
    "Drop files here to upload": "松开鼠标即上传", "file upload": "选择要上传的文件", "Remove file": "移除文件",
    "Delete": "删除", "Choose an option": "请选择", "Choose options": "请选择(可多选)", "Select all": "全选",
    "No results": "没有匹配的选项", "Clear all": "全部清除", "Clear value": "清除", "Open": "展开", "Close": "关闭",
    "Press Enter to apply": "按回车键确认", "Press Enter to submit form": "按回车键提交",
    "Press ⌘+Enter to apply": "按 ⌘+回车 确认", "Press Ctrl+Enter to apply": "按 Ctrl+回车 确认",
    "Show password": "显示明文", "Hide password": "隐藏明文", "Choose date": "选择日期",
    "Search": "搜索", "Download as CSV": "下载为 CSV", "Fullscreen": "全屏", "Close fullscreen": "退出全屏",
    "View fullscreen": "全屏查看", "Exit fullscreen": "退出全屏", "Show/hide columns": "显示/隐藏列",
    "Sort ascending": "升序排列", "Sort descending": "降序排列", "Pin column": "固定列", "Unpin column": "取消固定",
    "Hide column": "隐藏列", "Autosize": "自动列宽", "Format": "格式", "Copy to clipboard": "复制",
    "Collapse sidebar": "收起侧边栏", "Expand sidebar": "展开侧边栏", "Sidebar": "侧边栏", "App pages": "页面",
    "Main menu": "主菜单", "Skip to main content": "跳到正文", "Link to heading": "标题链接",
    "Running...": "正在运行…", "Stop": "停止", "Rerun": "重新运行", "Settings": "设置", "Print": "打印",
    "About": "关于", "Clear cache": "清除缓存", "Previous page": "上一页", "Next page": "下一页",
}  # fmt: skip
# (regular expression, replacement with $1 …) for the texts Streamlit composes
STREAMLIT_PATTERNS = [
    (r"^(\d+(?:\.\d+)?\s?[KMG]B) per file • (.+)$", "单个文件不超过 $1 · $2"),
    (r"^(\d+(?:\.\d+)?\s?[KMG]B) per file$", "单个文件不超过 $1"),
    (r"^Help for (.+)$", "$1 的说明"),
    (r"^Fullscreen: (.+)$", "全屏查看:$1"),
    (r"^(?:Exit|Close) fullscreen: (.+)$", "退出全屏:$1"),
    (r"^year, (.+)$", "$1 · 年"),
    (r"^month, (.+)$", "$1 · 月"),
    (r"^day, (.+)$", "$1 · 日"),
    (r"^View (\d+) more$", "另有 $1 项"),
    (r"^View less$", "收起"),
]
