<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AccountsPage</name>
    <message>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Add account...</source>
        <translation>新增账号…</translation>
    </message>
    <message>
        <source>Reset password...</source>
        <translation>重置密码…</translation>
    </message>
    <message>
        <source>Disable account</source>
        <translation>停用账号</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>账号管理</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Locked until {time}</source>
        <translation>锁定至 {time}</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Account {user} added.</source>
        <translation>已新增账号 {user}。</translation>
    </message>
    <message>
        <source>The password of {user} was reset.</source>
        <translation>已重置 {user} 的密码。</translation>
    </message>
    <message>
        <source>Disable the account {user}? It can no longer log in.</source>
        <translation>确定停用账号 {user} 吗？停用后该账号将无法登录。</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Account {user} disabled.</source>
        <translation>已停用账号 {user}。</translation>
    </message>
</context>
<context>
    <name>AdaptersPage</name>
    <message>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Configure...</source>
        <translation>配置…</translation>
    </message>
    <message>
        <source>Set department account password...</source>
        <translation>设置部门账号口令…</translation>
    </message>
    <message>
        <source>Health check</source>
        <translation>健康检查</translation>
    </message>
    <message>
        <source>Rescan plugins</source>
        <translation>重新扫描插件</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>复制详细信息</translation>
    </message>
    <message>
        <source>Adapters</source>
        <translation>适配器管理</translation>
    </message>
    <message>
        <source>Status: {status}</source>
        <translation>状态：{status}</translation>
    </message>
    <message>
        <source>Source: {source}</source>
        <translation>来源：{source}</translation>
    </message>
    <message>
        <source>Capabilities: {items}</source>
        <translation>能力：{items}</translation>
    </message>
    <message>
        <source>Configuration: {items}</source>
        <translation>配置：{items}</translation>
    </message>
    <message>
        <source>Error ({kind}): {message}</source>
        <translation>错误（{kind}）：{message}</translation>
    </message>
    <message>
        <source>{id} enabled.</source>
        <translation>已启用 {id}。</translation>
    </message>
    <message>
        <source>{id} disabled.</source>
        <translation>已停用 {id}。</translation>
    </message>
    <message>
        <source>Configuration of {id} saved.</source>
        <translation>已保存 {id} 的配置。</translation>
    </message>
    <message>
        <source>The department account of {id} was saved in the system keyring.</source>
        <translation>{id} 的部门账号口令已保存到系统钥匙串。</translation>
    </message>
    <message>
        <source>Checking {id}...</source>
        <translation>正在检查 {id}…</translation>
    </message>
    <message>
        <source>{id} is healthy ({ms} ms). {detail}</source>
        <translation>{id} 运行正常（{ms} 毫秒）。{detail}</translation>
    </message>
    <message>
        <source>{id} is not healthy: {detail}</source>
        <translation>{id} 运行异常：{detail}</translation>
    </message>
</context>
<context>
    <name>AddUserDialog</name>
    <message>
        <source>Add account</source>
        <translation>新增账号</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>新增</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation>初始密码</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>确认密码</translation>
    </message>
    <message>
        <source>Username, name and password are required.</source>
        <translation>用户名、姓名和密码为必填项。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>User</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>ID number (masked)</source>
        <translation>证件号码（脱敏）</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <source>Verifying the audit chain...</source>
        <translation>正在校验审计链…</translation>
    </message>
    <message>
        <source>The audit chain is intact: {count} entries checked. Head hash: {head}</source>
        <translation>校验通过：共检查 {count} 条记录，审计链完整。链头哈希：{head}</translation>
    </message>
    <message>
        <source>The audit chain is broken: {problems} problem(s) in {count} entries checked.</source>
        <translation>校验未通过：在 {count} 条记录中发现 {problems} 处问题。</translation>
    </message>
</context>
<context>
    <name>BackendStatusWidget</name>
    <message>
        <source>Back-ends:</source>
        <translation>部门系统：</translation>
    </message>
    <message>
        <source>Back-ends: none enabled</source>
        <translation>部门系统：未启用任何接口</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>renewing</source>
        <translation>续期中</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Department logins unavailable: no system keyring</source>
        <translation>无法登录部门系统：未找到系统密钥环</translation>
    </message>
</context>
<context>
    <name>CancelDialog</name>
    <message>
        <source>Cancel case</source>
        <translation>撤销办件</translation>
    </message>
    <message>
        <source>Cancel the case</source>
        <translation>确认撤销</translation>
    </message>
    <message>
        <source>Branches not yet sent are withdrawn. Departments that already received the application keep it; they are listed afterwards.</source>
        <translation>尚未发送的部门分支将被撤回；已送达部门的申请由部门保留，撤销后会逐一列出。</translation>
    </message>
    <message>
        <source>Case {case_no}</source>
        <translation>办件 {case_no}</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>撤销原因</translation>
    </message>
    <message>
        <source>Enter the reason for cancelling.</source>
        <translation>请填写撤销原因</translation>
    </message>
</context>
<context>
    <name>CardStep</name>
    <message>
        <source>Lay card on reader (demo)</source>
        <extracomment>manual entry fields in Tab order: (IdentityDocument attribute, placeholder) a document was read or typed; the page decides whether to open a case for it now</extracomment>
        <translation>放卡（演示）</translation>
    </message>
    <message>
        <source>Demo citizen:</source>
        <translation>演示群众：</translation>
    </message>
    <message>
        <source>ID card</source>
        <translation>身份证</translation>
    </message>
    <message>
        <source>Continue with this card (Ctrl+Enter)</source>
        <translation>确认证件，继续办理（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Manual entry (when the card cannot be read)</source>
        <translation>手工录入（证件无法读取时）</translation>
    </message>
    <message>
        <source>Card type</source>
        <translation>证件类型</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>Ethnic group</source>
        <translation>民族</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住址</translation>
    </message>
    <message>
        <source>Issuing authority</source>
        <translation>签发机关</translation>
    </message>
    <message>
        <source>Valid from</source>
        <translation>有效期起</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>有效期止</translation>
    </message>
    <message>
        <source>e.g. Han</source>
        <translation>例如 汉</translation>
    </message>
    <message>
        <source>YYYY-MM-DD or long-term</source>
        <translation>YYYY-MM-DD 或 长期</translation>
    </message>
    <message>
        <source>18 characters</source>
        <translation>18 位</translation>
    </message>
    <message>
        <source>Open case from typed card (Enter)</source>
        <translation>按录入信息开办件（Enter）</translation>
    </message>
    <message>
        <source>Lay the ID card on the reader: the citizen&apos;s open case comes back, or a new case is opened. Manual entry: Enter moves to the next field; Enter on the last field opens the case.</source>
        <translation>将身份证放在读卡器上：调出该群众未办结的办件，或新建办件。手工录入时按 Enter 到下一项，最后一项按 Enter 开办件。</translation>
    </message>
    <message>
        <source>Read card</source>
        <translation>读卡</translation>
    </message>
    <message>
        <source>No card reader is configured: use manual entry on the right.</source>
        <translation>未配置读卡器：请使用右侧的手工录入。</translation>
    </message>
    <message>
        <source>Reader ready: lay the ID card on the reader.</source>
        <translation>读卡器已就绪：请将身份证放在读卡器上。</translation>
    </message>
    <message>
        <source>Opening the card reader...</source>
        <translation>正在打开读卡器…</translation>
    </message>
    <message>
        <source>The card reader failed.</source>
        <translation>读卡器出错。</translation>
    </message>
    <message>
        <source>Card reader problem: {message}</source>
        <translation>读卡器问题：{message}</translation>
    </message>
    <message>
        <source>The card reader is disconnected; reconnecting...</source>
        <translation>读卡器已断开，正在重新连接…</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>出生日期</translation>
    </message>
    <message>
        <source>Validity</source>
        <translation>有效期限</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>decoded</source>
        <translation>已解码</translation>
    </message>
    <message>
        <source>Check this card:</source>
        <translation>请核对证件：</translation>
    </message>
    <message>
        <source>Checking the typed card...</source>
        <translation>正在核验录入的证件信息…</translation>
    </message>
    <message>
        <source>Typed by the clerk (manual entry).</source>
        <translation>证件信息为窗口人员手工录入。</translation>
    </message>
</context>
<context>
    <name>CaseDetailDialog</name>
    <message>
        <source>Case</source>
        <extracomment>a fresh CaseDetail arrived (opening, poll, or after an action) a receipt/notice PDF was written; its path</extracomment>
        <translation>办件详情</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>受理编号</translation>
    </message>
    <message>
        <source>Applicant</source>
        <translation>申请人</translation>
    </message>
    <message>
        <source>One-thing</source>
        <translation>一件事</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Clerk</source>
        <translation>经办人</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>承诺办结</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>到访次数</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>送达方式</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Department reference</source>
        <translation>部门受理号</translation>
    </message>
    <message>
        <source>Reason / error</source>
        <translation>退回原因 / 错误</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>更新时间</translation>
    </message>
    <message>
        <source>Material</source>
        <translation>材料</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Scans</source>
        <translation>扫描件</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>办理过程</translation>
    </message>
    <message>
        <source>Resend</source>
        <translation>重新发送</translation>
    </message>
    <message>
        <source>Supplement materials</source>
        <translation>补正材料</translation>
    </message>
    <message>
        <source>Cancel case</source>
        <translation>撤销办件</translation>
    </message>
    <message>
        <source>Satisfaction rating</source>
        <translation>满意度评价</translation>
    </message>
    <message>
        <source>Record pickup</source>
        <translation>登记领取</translation>
    </message>
    <message>
        <source>Print receipt</source>
        <translation>打印回执</translation>
    </message>
    <message>
        <source>One-time notice</source>
        <translation>一次性告知书</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Materials</source>
        <translation>材料</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>各部门办理情况</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>办理时间线</translation>
    </message>
    <message>
        <source>Open as PDF</source>
        <translation>生成 PDF 并打开</translation>
    </message>
    <message>
        <source>Print...</source>
        <translation>直接打印…</translation>
    </message>
    <message>
        <source>Case {case_no}</source>
        <translation>办件 {case_no}</translation>
    </message>
    <message>
        <source> (rated {score})</source>
        <translation>（已评价 {score} 分）</translation>
    </message>
    <message>
        <source>Courier to {address}</source>
        <translation>邮寄送达：{address}</translation>
    </message>
    <message>
        <source>Pickup at the hall</source>
        <translation>窗口领取</translation>
    </message>
    <message>
        <source>Rejected by the department: {reasons}</source>
        <translation>部门退回：{reasons}</translation>
    </message>
    <message>
        <source>{department}: queued to be sent again.</source>
        <translation>{department}：已重新发送（排队中）</translation>
    </message>
    <message>
        <source>Materials supplemented; resubmitted to: {departments}.</source>
        <translation>材料已补正，已重新提交至：{departments}</translation>
    </message>
    <message>
        <source>The case is cancelled.</source>
        <translation>办件已撤销。</translation>
    </message>
    <message>
        <source> Already with the departments (they keep it): {departments}.</source>
        <translation>已送达部门（由部门保留）：{departments}。</translation>
    </message>
    <message>
        <source>Rating recorded.</source>
        <translation>满意度评价已记录</translation>
    </message>
    <message>
        <source>Pickup visit recorded.</source>
        <translation>已登记群众到窗口领取</translation>
    </message>
    <message>
        <source>Preparing the document...</source>
        <translation>正在生成文书…</translation>
    </message>
    <message>
        <source>Saved as {path}</source>
        <translation>已保存为 {path}</translation>
    </message>
</context>
<context>
    <name>CaseListPage</name>
    <message>
        <source>Case number, name or ID number</source>
        <translation>受理编号、姓名或身份证号</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Reassign...</source>
        <translation>转办…</translation>
    </message>
    <message>
        <source>All cases</source>
        <translation>全部办件</translation>
    </message>
    <message>
        <source>My cases</source>
        <translation>我的办件</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>受理编号</translation>
    </message>
    <message>
        <source>Applicant</source>
        <translation>申请人</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>One-thing</source>
        <translation>一件事</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>承诺办结</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>到访次数</translation>
    </message>
    <message>
        <source>Clerk</source>
        <translation>经办人</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>At most one visit (最多跑一次): {one} of {done} completed cases ({pct})</source>
        <translation>最多跑一次：已办结 {done} 件，其中 {one} 件最多跑一次（{pct}）</translation>
    </message>
    <message>
        <source>{count} case(s)</source>
        <translation>共 {count} 件</translation>
    </message>
    <message>
        <source>Select a case first.</source>
        <translation>请先选择一个办件</translation>
    </message>
    <message>
        <source>Case {case_no} is now with {assignee}.</source>
        <translation>办件 {case_no} 已转给{assignee}</translation>
    </message>
</context>
<context>
    <name>CaseOpener</name>
    <message>
        <source>No case with number {case_no} was found.</source>
        <extracomment>a case&apos;s detail was opened (or raised); the dialog a case number could not be opened; the Chinese explanation any open detail read its case afresh (after an action or a poll); the CaseDetail where finished PDFs go; tests replace it so nothing external starts milliseconds between refreshes of an open detail</extracomment>
        <translation>未找到受理编号为 {case_no} 的办件</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>扫码查件</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>CaseScanNavigator</name>
    <message>
        <source>Scanned case {case_no}: cases are opened by counter staff only.</source>
        <translation>已扫描办件 {case_no}：办件仅限窗口人员和值班长查看</translation>
    </message>
    <message>
        <source>Scanned case {case_no}, opening...</source>
        <translation>已扫描办件 {case_no}，正在打开…</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>原密码</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>Repeat new password</source>
        <translation>确认新密码</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>修改</translation>
    </message>
    <message>
        <source>Please fill in every field.</source>
        <translation>请填写所有项目。</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
</context>
<context>
    <name>ConfigureDialog</name>
    <message>
        <source>Configure {name}</source>
        <extracomment>types the configuration dialog edits; a secret_ref only names a keyring entry, set with the secret dialog</extracomment>
        <translation>配置 {name}</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Default: {value}</source>
        <translation>默认：{value}</translation>
    </message>
</context>
<context>
    <name>ConsentStep</name>
    <message>
        <source>&amp;Signature</source>
        <translation>签字(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Face check</source>
        <translation>刷脸核验(&amp;F)</translation>
    </message>
    <message>
        <source>SMS &amp;code</source>
        <translation>短信验证码(&amp;C)</translation>
    </message>
    <message>
        <source>Record consent (Ctrl+Enter)</source>
        <translation>记录授权（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>&amp;Print consent form</source>
        <translation>打印授权书(&amp;P)</translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation>用途</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>授权方式</translation>
    </message>
    <message>
        <source>The citizen authorises these departments to provide these data (untick what the citizen does not agree to):</source>
        <translation>群众授权以下部门提供以下信息（群众不同意的请取消勾选）：</translation>
    </message>
    <message>
        <source>Space ticks a box, Alt+S / Alt+F / Alt+C choose the method, Ctrl+Enter records the consent and goes on to the pull, Alt+P prints the form for the citizen to sign.</source>
        <translation>空格键勾选；Alt+S / Alt+F / Alt+C 选择授权方式；Ctrl+Enter 记录授权并开始调取；Alt+P 打印授权书供群众签字。</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>群众授权</translation>
    </message>
    <message>
        <source>Handling {name} for the citizen</source>
        <translation>为申请人办理{name}</translation>
    </message>
    <message>
        <source>No enabled department can provide data for this one-thing.</source>
        <translation>没有已启用的部门能为该事项提供数据。</translation>
    </message>
    <message>
        <source>Not yet recorded.</source>
        <translation>尚未记录授权。</translation>
    </message>
    <message>
        <source>Recorded {time} by {clerk} ({method}): {departments}. Reference {ref}.</source>
        <translation>已于 {time} 由 {clerk} 记录授权（{method}）：{departments}。授权编号 {ref}。</translation>
    </message>
    <message>
        <source>Consent recorded.</source>
        <translation>授权已记录。</translation>
    </message>
    <message>
        <source>Preparing the consent form...</source>
        <translation>正在生成授权书…</translation>
    </message>
    <message>
        <source>Consent form ready: {path}</source>
        <translation>授权书已生成：{path}</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <source>The operation failed because of an unexpected error. Please tell your administrator and include the details below.</source>
        <translation>操作因意外错误未能完成。请联系系统管理员，并提供下方的详细信息。</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Show details</source>
        <translation>显示详细信息</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>复制详细信息</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>{count} operations failed. The latest: {summary}</source>
        <translation>共有 {count} 项操作失败。最近一项：{summary}</translation>
    </message>
    <message>
        <source>Hide details</source>
        <translation>隐藏详细信息</translation>
    </message>
</context>
<context>
    <name>FormStep</name>
    <message>
        <source>Only what no department and no card supplied. Enter goes to the next field; Enter on the last field (or Ctrl+Enter) saves and goes on. * marks a field that must be filled in.</source>
        <extracomment>what people type into numbers without meaning anything (the service strips them the same way) field -&gt; error after a save (empty: saved cleanly)</extracomment>
        <translation>只需填写部门和证件都未提供的信息。Enter 到下一项；最后一项按 Enter（或 Ctrl+Enter）保存并继续。带 * 的为必填项。</translation>
    </message>
    <message>
        <source>Fill in</source>
        <translation>补充信息</translation>
    </message>
    <message>
        <source>{count} items to fill in.</source>
        <translation>需填写 {count} 项。</translation>
    </message>
    <message>
        <source>Nothing to fill in: the departments and the card supplied everything. Press Ctrl+Enter to go on.</source>
        <translation>无需填写：部门和证件已提供全部信息。按 Ctrl+Enter 继续。</translation>
    </message>
    <message>
        <source>(choose)</source>
        <translation>（请选择）</translation>
    </message>
    <message>
        <source>{label} is required</source>
        <translation>{label}不能为空</translation>
    </message>
    <message>
        <source>Saved as draft. Please correct: {labels}</source>
        <translation>已保存为草稿。请更正：{labels}</translation>
    </message>
    <message>
        <source>Form saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>Welcome, {name}</source>
        <translation>{name}，您好</translation>
    </message>
    <message>
        <source>Role: {role}</source>
        <translation>角色：{role}</translation>
    </message>
    <message>
        <source>Counter: {counter}</source>
        <translation>窗口：{counter}</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>Service hall: {hall}</source>
        <translation>服务大厅：{hall}</translation>
    </message>
    <message>
        <source>Today: {date}</source>
        <translation>今天：{date}</translation>
    </message>
    <message>
        <source>Press Ctrl+L to lock the workstation when you leave the counter. It also locks itself after a period without input.</source>
        <translation>离开窗口时请按 Ctrl+L 锁定工作站。一段时间无操作后，工作站也会自动锁定。</translation>
    </message>
</context>
<context>
    <name>IntakePage</name>
    <message>
        <source>Next citizen (Ctrl+N)</source>
        <extracomment>the step on screen changed (1..8) a case was opened or brought back (CaseSummary)</extracomment>
        <translation>接待下一位（Ctrl+N）</translation>
    </message>
    <message>
        <source>Back (Alt+Left)</source>
        <translation>上一步（Alt+←）</translation>
    </message>
    <message>
        <source>Next (Ctrl+Enter)</source>
        <translation>下一步（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Read the citizen&apos;s ID card first (Alt+1).</source>
        <translation>请先读取群众的身份证（Alt+1）。</translation>
    </message>
    <message>
        <source>Choose the one-thing first (Alt+2).</source>
        <translation>请先选择要办理的一件事（Alt+2）。</translation>
    </message>
    <message>
        <source>Step {number}: {title}</source>
        <translation>第 {number} 步：{title}</translation>
    </message>
    <message>
        <source>Submit (Ctrl+Enter)</source>
        <translation>提交（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>No case open: lay the citizen&apos;s ID card on the reader.</source>
        <translation>当前没有办件：请将群众的身份证放在读卡器上。</translation>
    </message>
    <message>
        <source>one-thing not chosen</source>
        <translation>未选择事项</translation>
    </message>
    <message>
        <source>A card was read ({name}). Press Alt+1, then Ctrl+Enter to open that citizen&apos;s case.</source>
        <translation>读到新的证件（{name}）。按 Alt+1 回到读卡，再按 Ctrl+Enter 为其开办件。</translation>
    </message>
    <message>
        <source>Opening the citizen&apos;s case...</source>
        <translation>正在调出或新建办件…</translation>
    </message>
    <message>
        <source>This case is already {state}; it can be viewed, not changed here.</source>
        <translation>该办件已{state}，只能查看，不能在此修改。</translation>
    </message>
    <message>
        <source>Check the card warning above, then press Ctrl+Enter to continue.</source>
        <translation>请核对上方的证件提示，确认后按 Ctrl+Enter 继续。</translation>
    </message>
    <message>
        <source>Draft {case_no} brought back at step {step}.</source>
        <translation>已调出草稿 {case_no}，从第 {step} 步继续。</translation>
    </message>
</context>
<context>
    <name>IntakeStep</name>
    <message>
        <source>Add a scanned file</source>
        <translation>添加扫描件</translation>
    </message>
    <message>
        <source>Images or PDF</source>
        <translation>图片或 PDF</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Workstation locked</source>
        <extracomment>the password typed to unlock</extracomment>
        <translation>工作站已锁定</translation>
    </message>
    <message>
        <source>Locked by {name} ({role}). Enter the password of this account to continue.</source>
        <translation>{name}（{role}）已锁定本工作站。请输入该账号的密码以继续。</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Someone else? Log this session out; unsaved work of this session is discarded.</source>
        <translation>不是本人？请退出登录；本次会话中未保存的工作将被丢弃。</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Please enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
</context>
<context>
    <name>LoginWindow</name>
    <message>
        <source>OneWindow - Log in</source>
        <extracomment>the UserInfo of the clerk who just logged in</extracomment>
        <translation>一窗通 - 登录</translation>
    </message>
    <message>
        <source>OneWindow</source>
        <translation>一窗通</translation>
    </message>
    <message>
        <source>Comprehensive service window workstation</source>
        <translation>综合窗口受理工作站</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Demo mode: the demo accounts and passwords are printed in the terminal.</source>
        <translation>演示模式：演示账号和密码已打印在终端中。</translation>
    </message>
    <message>
        <source>You have logged out.</source>
        <translation>您已退出登录。</translation>
    </message>
    <message>
        <source>Please enter your username and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <source>Checking...</source>
        <translation>正在验证…</translation>
    </message>
    <message>
        <source>Login failed because of an unexpected error.</source>
        <translation>登录因意外错误失败。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>OneWindow</source>
        <extracomment>the user logged out; the shell shows the login window again the window was closed (the application should quit)</extracomment>
        <translation>一窗通</translation>
    </message>
    <message>
        <source>This page could not be opened. See the error details.</source>
        <translation>此页面无法打开，请查看错误详细信息。</translation>
    </message>
    <message>
        <source>&amp;Account</source>
        <translation>账户(&amp;A)</translation>
    </message>
    <message>
        <source>Change password...</source>
        <translation>修改密码…</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Password changed.</source>
        <translation>密码已修改。</translation>
    </message>
    <message>
        <source>Log out now? Unsaved work in this window is discarded.</source>
        <translation>确定现在退出登录吗？本窗口中未保存的工作将被丢弃。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>MaterialsStep</name>
    <message>
        <source>Received</source>
        <translation>已收取</translation>
    </message>
    <message>
        <source>Add scan...</source>
        <translation>添加扫描件…</translation>
    </message>
    <message>
        <source>View</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>Accept without...</source>
        <translation>容缺受理…</translation>
    </message>
    <message>
        <source>shared data</source>
        <translation>共享获取</translation>
    </message>
    <message>
        <source>issued by department</source>
        <translation>部门出具</translation>
    </message>
    <message>
        <source>brought by citizen</source>
        <translation>申请人提交</translation>
    </message>
    <message>
        <source>Commitment: {text}</source>
        <translation>承诺：{text}</translation>
    </message>
    <message>
        <source>Print one-time &amp;notice</source>
        <extracomment>a material changed (code)</extracomment>
        <translation>打印一次性告知书(&amp;N)</translation>
    </message>
    <message>
        <source>Tab moves between the buttons of each material; Space presses one. Alt+N prints the one-time notice of everything still owed. Ctrl+Enter goes on.</source>
        <translation>Tab 在各材料的按钮间移动，空格键按下。Alt+N 打印一次性告知书，列明所有待补交材料。Ctrl+Enter 继续。</translation>
    </message>
    <message>
        <source>Materials</source>
        <translation>材料</translation>
    </message>
    <message>
        <source>Still missing: {names}</source>
        <translation>尚缺：{names}</translation>
    </message>
    <message>
        <source>Every material is in hand, shared, issued by a department or owed under a commitment ({count} owed).</source>
        <translation>材料已齐：已收取、共享获取、部门出具或承诺补交（待补交 {count} 项）。</translation>
    </message>
    <message>
        <source>Storing {name}...</source>
        <translation>正在保存 {name}…</translation>
    </message>
    <message>
        <source>Scan stored: {name}, SHA-256 {sha}</source>
        <translation>扫描件已保存：{name}，SHA-256 {sha}</translation>
    </message>
    <message>
        <source>Preparing the one-time notice...</source>
        <translation>正在生成一次性告知书…</translation>
    </message>
    <message>
        <source>One-time notice ready: {path}</source>
        <translation>一次性告知书已生成：{path}</translation>
    </message>
</context>
<context>
    <name>OneThingStep</name>
    <message>
        <source>Search: Chinese or pinyin initials, e.g. tx for retirement</source>
        <extracomment>(item name, department name) of every bundled item</extracomment>
        <translation>搜索：输入中文或拼音首字母，例如 tx（退休）</translation>
    </message>
    <message>
        <source>Type to search, Up/Down to pick, Enter to choose. The panel on the right lists the items and departments the one-thing bundles.</source>
        <translation>输入即搜索，↑↓ 选择，Enter 确定。右侧列出该一件事包含的事项和部门。</translation>
    </message>
    <message>
        <source>Choose one-thing</source>
        <translation>选择一件事</translation>
    </message>
    <message>
        <source>Chosen: {name}</source>
        <translation>已选择：{name}</translation>
    </message>
    <message>
        <source>Nothing matches. Try other words or pinyin initials.</source>
        <translation>没有匹配的事项，请换个词或用拼音首字母。</translation>
    </message>
    <message>
        <source>Bundled items:</source>
        <translation>包含事项：</translation>
    </message>
    <message>
        <source>Departments:</source>
        <translation>涉及部门：</translation>
    </message>
    <message>
        <source>Read a card first (Alt+1).</source>
        <translation>请先读卡（Alt+1）。</translation>
    </message>
    <message>
        <source>Choose a one-thing from the list.</source>
        <translation>请从列表中选择一件事。</translation>
    </message>
    <message>
        <source>One-thing chosen: {name}</source>
        <translation>已选择：{name}</translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>账号管理</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <source>Adapters</source>
        <translation>适配器管理</translation>
    </message>
    <message>
        <source>My cases</source>
        <translation>我的办件</translation>
    </message>
    <message>
        <source>All cases</source>
        <translation>全部办件</translation>
    </message>
    <message>
        <source>Intake</source>
        <translation>受理</translation>
    </message>
</context>
<context>
    <name>PreviewStep</name>
    <message>
        <source>Save &amp;draft</source>
        <extracomment>the submission returned (its result object) the form step, whose unsaved input 保存草稿 keeps too (set by the page)</extracomment>
        <translation>保存草稿(&amp;D)</translation>
    </message>
    <message>
        <source>Submitting is not installed on this workstation yet; the case stays a saved draft.</source>
        <extracomment>why 提交 is unavailable on this workstation (&quot;&quot; when it is)</extracomment>
        <translation>本工作站尚未启用提交功能，办件保存为草稿。</translation>
    </message>
    <message>
        <source>Ctrl+Tab / Ctrl+Shift+Tab switch departments. Each tab shows exactly what that department receives and which field of the one application each value came from. The draft survives a restart; Ctrl+Enter submits.</source>
        <translation>Ctrl+Tab / Ctrl+Shift+Tab 切换部门。每个标签页显示该部门将收到的完整报文，以及每个值来自统一申请的哪个字段。草稿在重启后仍在；Ctrl+Enter 提交。</translation>
    </message>
    <message>
        <source>Preview and submit</source>
        <translation>预览提交</translation>
    </message>
    <message>
        <source>Preparing every department&apos;s payload...</source>
        <translation>正在生成各部门报文…</translation>
    </message>
    <message>
        <source>Items: {items}    Format: {type}</source>
        <translation>事项：{items}    格式：{type}</translation>
    </message>
    <message>
        <source>Department field</source>
        <translation>部门字段</translation>
    </message>
    <message>
        <source>Canonical field</source>
        <translation>标准字段</translation>
    </message>
    <message>
        <source>Meaning</source>
        <translation>含义</translation>
    </message>
    <message>
        <source>Before submitting: {reasons}</source>
        <translation>提交前还需：{reasons}</translation>
    </message>
    <message>
        <source>Ready to submit to {count} departments.</source>
        <translation>可以提交，将发送给 {count} 个部门。</translation>
    </message>
    <message>
        <source>Draft saved: case {case_no}. Reading the citizen&apos;s card again brings it back here.</source>
        <translation>草稿已保存：办件 {case_no}。再次读取该群众的身份证即可调出继续办理。</translation>
    </message>
    <message>
        <source>Submitting is not installed on this workstation yet; the case is kept as a draft.</source>
        <translation>本工作站尚未启用提交功能，办件已保存为草稿。</translation>
    </message>
    <message>
        <source>Cannot submit yet: {reasons}</source>
        <translation>尚不能提交：{reasons}</translation>
    </message>
    <message>
        <source>Submitting...</source>
        <translation>正在提交…</translation>
    </message>
    <message>
        <source>Submitted: case {case_no} goes to every department. Ctrl+N: next citizen.</source>
        <translation>已提交：办件 {case_no} 将分送各部门。按 Ctrl+N 接待下一位。</translation>
    </message>
</context>
<context>
    <name>ProfileStep</name>
    <message>
        <source>Where departments disagree (orange), Tab to the values and press Space or an arrow key to take one; the choice is recorded. Ctrl+Enter goes on once nothing is left open.</source>
        <extracomment>the profile is on screen (after loading or reloading) a pick was recorded: field</extracomment>
        <translation>部门数据不一致处（橙色）用 Tab 移到各来源，按空格或方向键选定，选择会被记录。全部确定后按 Ctrl+Enter 继续。</translation>
    </message>
    <message>
        <source>Check profile</source>
        <translation>信息核对</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>信息项</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>核验</translation>
    </message>
    <message>
        <source>verified</source>
        <translation>已核验</translation>
    </message>
    <message>
        <source>typed at counter</source>
        <translation>手工录入</translation>
    </message>
    <message>
        <source>ID card</source>
        <translation>身份证</translation>
    </message>
    <message>
        <source>counter</source>
        <translation>窗口录入</translation>
    </message>
    <message>
        <source>Departments disagree: choose one</source>
        <translation>部门数据不一致：请选择采用哪个</translation>
    </message>
    <message>
        <source>Taken from {source}</source>
        <translation>采用{source}的数据</translation>
    </message>
    <message>
        <source>{count} items, {open} disagreements still to decide: {labels}</source>
        <translation>共 {count} 项，{open} 项数据不一致待确定：{labels}</translation>
    </message>
    <message>
        <source>{count} items; {conflicts} disagreements, all decided.</source>
        <translation>共 {count} 项；{conflicts} 项不一致，均已确定。</translation>
    </message>
    <message>
        <source>Decide first which value to take for: {labels}</source>
        <translation>请先确定采用哪个来源的数据：{labels}</translation>
    </message>
</context>
<context>
    <name>PullStep</name>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Not asked yet</source>
        <translation>尚未调取</translation>
    </message>
    <message>
        <source>Department</source>
        <extracomment>one department&apos;s status reached the screen (tests and the benchmark wait on it) the whole pull (or a retry) returned</extracomment>
        <translation>部门</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>&amp;Re-pull all</source>
        <translation>全部重新调取(&amp;R)</translation>
    </message>
    <message>
        <source>All departments are asked at once; each row shows its own result as it arrives. You may go on (Ctrl+Enter) while a slow department is still answering; Tab reaches each Retry button.</source>
        <translation>同时向所有部门调取，每行在结果到达时更新。某部门较慢时也可继续下一步（Ctrl+Enter）；Tab 可移到各部门的“重试”按钮。</translation>
    </message>
    <message>
        <source>Pull data</source>
        <translation>数据调取</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Asking the department...</source>
        <translation>调取中…</translation>
    </message>
    <message>
        <source>Done: {count} items</source>
        <translation>完成 {count} 项</translation>
    </message>
    <message>
        <source>Failed: {reason}</source>
        <translation>失败：{reason}</translation>
    </message>
    <message>
        <source>Not asked: {reason}</source>
        <translation>未调取：{reason}</translation>
    </message>
    <message>
        <source> in {seconds} s</source>
        <translation>，用时 {seconds} 秒</translation>
    </message>
    <message>
        <source>{done} done, {waiting} still answering, {failed} failed</source>
        <translation>已完成 {done} 个部门，{waiting} 个调取中，{failed} 个失败</translation>
    </message>
    <message>
        <source>Asking every authorised department at once...</source>
        <translation>正在同时向已授权的各部门调取…</translation>
    </message>
    <message>
        <source>Not answered: {names}. Retry them, or go on and take paper copies.</source>
        <translation>未取得：{names}。可点“重试”，或继续办理并收取纸质材料。</translation>
    </message>
    <message>
        <source>Every department answered.</source>
        <translation>各部门均已返回。</translation>
    </message>
    <message>
        <source>Data were pulled for this case earlier. Use Re-pull all to refresh.</source>
        <translation>本办件此前已调取过数据。如需更新，请点“全部重新调取”。</translation>
    </message>
</context>
<context>
    <name>RatingDialog</name>
    <message>
        <source>Satisfaction rating</source>
        <translation>满意度评价</translation>
    </message>
    <message>
        <source>Record rating</source>
        <translation>提交评价</translation>
    </message>
    <message>
        <source>1 Very dissatisfied</source>
        <translation>1 非常不满意</translation>
    </message>
    <message>
        <source>2 Dissatisfied</source>
        <translation>2 不满意</translation>
    </message>
    <message>
        <source>3 Fair</source>
        <translation>3 基本满意</translation>
    </message>
    <message>
        <source>4 Satisfied</source>
        <translation>4 满意</translation>
    </message>
    <message>
        <source>5 Very satisfied</source>
        <translation>5 非常满意</translation>
    </message>
    <message>
        <source>Optional: what the citizen said</source>
        <translation>选填：群众的意见和建议</translation>
    </message>
    <message>
        <source>Case {case_no}</source>
        <translation>办件 {case_no}</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>意见</translation>
    </message>
    <message>
        <source>Choose a score from 1 to 5.</source>
        <translation>请选择 1 到 5 分</translation>
    </message>
</context>
<context>
    <name>ReassignDialog</name>
    <message>
        <source>Reassign case</source>
        <translation>转办</translation>
    </message>
    <message>
        <source>Reassign</source>
        <translation>转办</translation>
    </message>
    <message>
        <source>Case {case_no}, now with {assignee}</source>
        <translation>办件 {case_no}，当前经办人：{assignee}</translation>
    </message>
    <message>
        <source>Hand to</source>
        <translation>转给</translation>
    </message>
    <message>
        <source>Choose who takes the case.</source>
        <translation>请选择接办人</translation>
    </message>
</context>
<context>
    <name>ResetPasswordDialog</name>
    <message>
        <source>Reset password of {user}</source>
        <translation>重置 {user} 的密码</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>确认密码</translation>
    </message>
    <message>
        <source>Please enter the new password.</source>
        <translation>请输入新密码。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>SecretDialog</name>
    <message>
        <source>Department account of {name}</source>
        <translation>{name} 的部门账号</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Department account</source>
        <translation>部门账号</translation>
    </message>
    <message>
        <source>Password / key</source>
        <translation>口令 / 密钥</translation>
    </message>
    <message>
        <source>The password is kept only in the system keyring, never in the database or the settings file.</source>
        <translation>口令只保存在系统钥匙串中，不会写入数据库或设置文件。</translation>
    </message>
    <message>
        <source>Please enter the account and its password.</source>
        <translation>请输入账号及其口令。</translation>
    </message>
</context>
<context>
    <name>SessionLock</name>
    <message>
        <source>Checking...</source>
        <translation>正在验证…</translation>
    </message>
    <message>
        <source>Wrong password. Repeated failures lock the account.</source>
        <translation>密码错误。多次输错将锁定账号。</translation>
    </message>
    <message>
        <source> Log out to end this session.</source>
        <translation>请退出登录以结束本次会话。</translation>
    </message>
    <message>
        <source>The password could not be checked.</source>
        <translation>无法验证密码。</translation>
    </message>
</context>
<context>
    <name>ShellStatusBar</name>
    <message>
        <source>Demo mode</source>
        <translation>演示模式</translation>
    </message>
    <message>
        <source>User: {name} ({role})</source>
        <translation>用户：{name}（{role}）</translation>
    </message>
    <message>
        <source>no counter</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>Counter: {counter}</source>
        <translation>窗口：{counter}</translation>
    </message>
</context>
<context>
    <name>SupplementDialog</name>
    <message>
        <source>Supplement materials</source>
        <translation>补正材料</translation>
    </message>
    <message>
        <source>Supplement and resubmit</source>
        <translation>补正并重新提交</translation>
    </message>
    <message>
        <source>Attach scan to the selected material...</source>
        <translation>为所选材料添加扫描件…</translation>
    </message>
    <message>
        <source>This counts as another visit of the citizen. The departments that rejected the case receive the corrected application as a new submission.</source>
        <translation>本次补正计为群众又一次到访。退回办件的部门将收到补正后的申请（作为一次新的提交）。</translation>
    </message>
    <message>
        <source>Case {case_no}</source>
        <translation>办件 {case_no}</translation>
    </message>
    <message>
        <source>Materials</source>
        <translation>材料</translation>
    </message>
    <message>
        <source>Select the material the scan belongs to first.</source>
        <translation>请先选择扫描件所属的材料</translation>
    </message>
    <message>
        <source>Choose scans</source>
        <translation>选择扫描件</translation>
    </message>
    <message>
        <source>Scans (*.pdf *.png *.jpg *.jpeg *.tif *.tiff *.bmp)</source>
        <translation>扫描件 (*.pdf *.png *.jpg *.jpeg *.tif *.tiff *.bmp)</translation>
    </message>
    <message>
        <source>Tick the materials the citizen brought.</source>
        <translation>请勾选群众本次带来的材料</translation>
    </message>
</context>
<context>
    <name>TaskFormDialog</name>
    <message>
        <source>Cancel</source>
        <extracomment>the call&apos;s result, after it succeeded (the dialog then closes)</extracomment>
        <translation>取消</translation>
    </message>
    <message>
        <source>Saving...</source>
        <translation>正在保存…</translation>
    </message>
</context>
<context>
    <name>TaskManager</name>
    <message>
        <source>The operation failed. See the error details.</source>
        <extracomment>summary_zh, details — emitted for every failure no callback handled, before the dialog shows task_id, ok, payload, details — internal bridge from pool threads to the GUI thread</extracomment>
        <translation>操作失败，请查看错误详细信息。</translation>
    </message>
</context>
<context>
    <name>ToleranceDialog</name>
    <message>
        <source>Accept without {name}</source>
        <translation>容缺受理：{name}</translation>
    </message>
    <message>
        <source>I undertake to hand in {name} by the date below.</source>
        <translation>本人承诺在下列日期前补交{name}。</translation>
    </message>
    <message>
        <source>Set the date myself (default: 10 working days)</source>
        <translation>自定补交期限（默认 10 个工作日）</translation>
    </message>
    <message>
        <source>Commitment</source>
        <translation>承诺内容</translation>
    </message>
    <message>
        <source>Hand in by</source>
        <translation>补交期限</translation>
    </message>
    <message>
        <source>Accept without it</source>
        <translation>容缺受理</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
</TS>
