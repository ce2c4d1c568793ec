-- 本文件由 `govcat generate sql` 生成，请勿手工编辑。
-- 政务数据目录库（SQLite）：提供方名录、更新周期、代码集、数据元、信息资源与信息项。
-- 标准版本 1.0.0，结构版本 9493593a63c0。手工建库：sqlite3 govcat.db < registry.sqlite.sql；外键需要每个连接执行 PRAGMA foreign_keys = ON；`govcat load` 会在空库中自动建库。

CREATE TABLE govcat_meta (  -- 目录库元数据（标准版本、结构版本）
    key VARCHAR(64) NOT NULL,  -- 键
    value TEXT NOT NULL,  -- 值
    CONSTRAINT govcat_meta_pkey PRIMARY KEY (key)
);

CREATE TABLE update_frequencies (  -- 更新周期标准
    value VARCHAR(3) NOT NULL,  -- 更新周期
    code VARCHAR(64) NOT NULL,  -- 英文代码
    rank INTEGER NOT NULL,  -- 频繁程度排序（越小越频繁）
    max_interval_days INTEGER,  -- 最大更新间隔（天）
    grace_days INTEGER NOT NULL,  -- 宽限天数
    eu_frequency VARCHAR(64),  -- DCAT-AP 更新频率
    dcmi VARCHAR(64),  -- DCMI 更新频率
    iso8601 VARCHAR(64),  -- ISO 8601 重复间隔
    CONSTRAINT update_frequencies_pkey PRIMARY KEY (value),
    CONSTRAINT update_frequencies_value_check CHECK (value = '实时' OR value = '每日' OR value = '每周' OR value = '每月' OR value = '每季度' OR value = '每半年' OR value = '每年' OR value = '不定期' OR value = '其他')
);

CREATE TABLE departments (  -- 提供方名录
    code VARCHAR(18) NOT NULL,  -- 统一社会信用代码
    name TEXT NOT NULL,  -- 部门名称
    short_name TEXT,  -- 简称
    level VARCHAR(2) NOT NULL,  -- 层级
    division VARCHAR(6) NOT NULL,  -- 行政区划代码
    parent VARCHAR(18),  -- 上级部门代码
    CONSTRAINT departments_pkey PRIMARY KEY (code),
    CONSTRAINT departments_level_check CHECK (level = '省级' OR level = '市级' OR level = '县级')
);

CREATE TABLE code_sets (  -- 代码集
    name VARCHAR(64) NOT NULL,  -- 代码集名称
    title TEXT NOT NULL,  -- 中文名称
    description TEXT,  -- 说明
    standard TEXT,  -- 依据标准
    source TEXT,  -- 数据来源
    data_vintage TEXT,  -- 数据版本
    CONSTRAINT code_sets_pkey PRIMARY KEY (name)
);

CREATE TABLE code_values (  -- 代码集的代码值
    code_set VARCHAR(64) NOT NULL,  -- 代码集名称
    code VARCHAR(64) NOT NULL,  -- 代码
    title TEXT,  -- 名称
    description TEXT,  -- 说明
    deprecated TEXT,  -- 废止说明（空为现行代码）
    position INTEGER NOT NULL,  -- 顺序
    CONSTRAINT code_values_pkey PRIMARY KEY (code_set, code),
    CONSTRAINT code_values_code_set_fkey FOREIGN KEY (code_set) REFERENCES code_sets (name) ON DELETE CASCADE,
    CONSTRAINT code_values_position_check CHECK (position >= 1)
);

CREATE TABLE data_elements (  -- 数据元
    id VARCHAR(7) NOT NULL,  -- 内部标识符
    slot VARCHAR(64) NOT NULL,  -- 英文名称
    title TEXT NOT NULL,  -- 中文名称
    short_name VARCHAR(64),  -- 标识符（拼音首字母）
    description TEXT,  -- 说明
    data_type VARCHAR(1),  -- 数据类型
    format VARCHAR(32),  -- 表示格式
    chars VARCHAR(2),  -- 表示格式的字符类型（a、n、an、c）
    fixed_length INTEGER,  -- 固定长度
    max_length INTEGER,  -- 最大长度
    scale INTEGER,  -- 小数位数
    code_set VARCHAR(64),  -- 值域代码集
    value_domain TEXT,  -- 值域
    unit TEXT,  -- 计量单位
    pattern TEXT,  -- 正则表达式
    category TEXT,  -- 分类
    sensitivity TEXT,  -- 敏感级别
    steward TEXT,  -- 权威来源部门
    checksum VARCHAR(64),  -- 校验算法
    status TEXT,  -- 状态
    replaced_by VARCHAR(7),  -- 替代数据元
    CONSTRAINT data_elements_pkey PRIMARY KEY (id),
    CONSTRAINT data_elements_slot_key UNIQUE (slot),
    CONSTRAINT data_elements_code_set_fkey FOREIGN KEY (code_set) REFERENCES code_sets (name),
    CONSTRAINT data_elements_replaced_by_fkey FOREIGN KEY (replaced_by) REFERENCES data_elements (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT data_elements_data_type_check CHECK (data_type = 'C' OR data_type = 'N' OR data_type = 'Y' OR data_type = 'D' OR data_type = 'T' OR data_type = 'L' OR data_type = 'M' OR data_type = 'G' OR data_type = 'B' OR data_type = 'I' OR data_type = 'F'),
    CONSTRAINT data_elements_fixed_length_check CHECK (fixed_length >= 1),
    CONSTRAINT data_elements_max_length_check CHECK (max_length >= 1),
    CONSTRAINT data_elements_scale_check CHECK (scale >= 0)
);

CREATE TABLE data_element_aliases (  -- 数据元同义名称
    element_id VARCHAR(7) NOT NULL,  -- 内部标识符
    alias VARCHAR(200) NOT NULL,  -- 同义名称
    CONSTRAINT data_element_aliases_pkey PRIMARY KEY (element_id, alias),
    CONSTRAINT data_element_aliases_element_id_fkey FOREIGN KEY (element_id) REFERENCES data_elements (id) ON DELETE CASCADE
);

CREATE TABLE resources (  -- 信息资源
    code VARCHAR(16) NOT NULL,  -- 信息资源代码
    provider_code VARCHAR(18) NOT NULL,  -- 提供方代码
    name VARCHAR(100) NOT NULL,  -- 信息资源名称
    classification_class VARCHAR(6) NOT NULL,  -- 资源分类（类）
    classification_item VARCHAR(19) NOT NULL,  -- 资源分类（项）
    internal_department TEXT,  -- 提供方内部部门
    summary VARCHAR(1000) NOT NULL,  -- 信息资源摘要
    format_category VARCHAR(5) NOT NULL,  -- 格式分类
    format_type VARCHAR(10) NOT NULL,  -- 格式类型
    sharing_type VARCHAR(5) NOT NULL,  -- 共享类型
    sharing_condition TEXT,  -- 共享条件
    sharing_basis TEXT,  -- 不予共享依据
    sharing_method VARCHAR(4) NOT NULL,  -- 共享方式
    sharing_method_type VARCHAR(3),  -- 共享方式类型
    opening_type VARCHAR(5) NOT NULL,  -- 开放类型
    opening_condition TEXT,  -- 开放条件
    update_frequency VARCHAR(3) NOT NULL,  -- 更新周期
    update_frequency_note TEXT,  -- 更新周期说明
    published_on DATE NOT NULL,  -- 发布日期
    last_updated_on DATE,  -- 最近更新日期
    security_level VARCHAR(4),  -- 数据分级
    source_system TEXT,  -- 所属信息系统
    mount_kind VARCHAR(2),  -- 挂接方式
    mount_status VARCHAR(3),  -- 挂接状态
    mount_endpoint TEXT,  -- 挂接地址
    catalog_file TEXT NOT NULL,  -- 目录文件（相对提供方名录所在目录）
    CONSTRAINT resources_pkey PRIMARY KEY (code),
    CONSTRAINT resources_provider_code_fkey FOREIGN KEY (provider_code) REFERENCES departments (code) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT resources_update_frequency_fkey FOREIGN KEY (update_frequency) REFERENCES update_frequencies (value) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT resources_classification_class_check CHECK (classification_class = '基础信息资源' OR classification_class = '主题信息资源' OR classification_class = '部门信息资源'),
    CONSTRAINT resources_classification_item_check CHECK (classification_item = '人口' OR classification_item = '法人单位' OR classification_item = '自然资源和空间地理' OR classification_item = '社会信用' OR classification_item = '电子证照' OR classification_item = '公共服务' OR classification_item = '健康保障' OR classification_item = '社会保障' OR classification_item = '食品药品安全' OR classification_item = '安全生产' OR classification_item = '价格监管' OR classification_item = '能源安全' OR classification_item = '信用体系' OR classification_item = '城乡建设' OR classification_item = '社区治理' OR classification_item = '生态环保' OR classification_item = '应急维稳' OR classification_item = '党中央' OR classification_item = '全国人大常委会' OR classification_item = '国务院' OR classification_item = '全国政协' OR classification_item = '最高人民法院' OR classification_item = '最高人民检察院' OR classification_item = '省（自治区、直辖市）及其下各级政务部门' OR classification_item = '计划单列市及其下各级政务部门'),
    CONSTRAINT resources_format_category_check CHECK (format_category = '电子文件' OR format_category = '电子表格' OR format_category = '数据库' OR format_category = '图形图像' OR format_category = '流媒体' OR format_category = '自描述格式' OR format_category = '服务接口'),
    CONSTRAINT resources_format_type_check CHECK (format_type = 'OFD' OR format_type = 'wps' OR format_type = 'xml' OR format_type = 'txt' OR format_type = 'doc' OR format_type = 'docx' OR format_type = 'html' OR format_type = 'pdf' OR format_type = 'ppt' OR format_type = 'et' OR format_type = 'xls' OR format_type = 'xlsx' OR format_type = 'csv' OR format_type = '达梦' OR format_type = 'KingbaseES' OR format_type = 'GBase' OR format_type = 'OceanBase' OR format_type = 'PostgreSQL' OR format_type = 'MySQL' OR format_type = 'Oracle' OR format_type = 'SQL Server' OR format_type = 'DB2' OR format_type = 'jpg' OR format_type = 'png' OR format_type = 'gif' OR format_type = 'bmp' OR format_type = 'tif' OR format_type = 'mp4' OR format_type = 'flv' OR format_type = 'mpg' OR format_type = 'rm' OR format_type = 'swf' OR format_type = 'json' OR format_type = 'REST' OR format_type = 'WebService' OR format_type = '其他'),
    CONSTRAINT resources_sharing_type_check CHECK (sharing_type = '无条件共享' OR sharing_type = '有条件共享' OR sharing_type = '不予共享'),
    CONSTRAINT resources_sharing_method_check CHECK (sharing_method = '共享平台' OR sharing_method = '邮件' OR sharing_method = '介质'),
    CONSTRAINT resources_sharing_method_type_check CHECK (sharing_method_type = '数据库' OR sharing_method_type = '接口' OR sharing_method_type = '文件'),
    CONSTRAINT resources_opening_type_check CHECK (opening_type = '无条件开放' OR opening_type = '有条件开放' OR opening_type = '不予开放'),
    CONSTRAINT resources_update_frequency_check CHECK (update_frequency = '实时' OR update_frequency = '每日' OR update_frequency = '每周' OR update_frequency = '每月' OR update_frequency = '每季度' OR update_frequency = '每半年' OR update_frequency = '每年' OR update_frequency = '不定期' OR update_frequency = '其他'),
    CONSTRAINT resources_published_on_check CHECK (published_on IS date(published_on, '+0 days')),
    CONSTRAINT resources_last_updated_on_check CHECK (last_updated_on IS date(last_updated_on, '+0 days')),
    CONSTRAINT resources_security_level_check CHECK (security_level = '一般数据' OR security_level = '重要数据' OR security_level = '核心数据'),
    CONSTRAINT resources_mount_kind_check CHECK (mount_kind = '库表' OR mount_kind = '接口' OR mount_kind = '文件'),
    CONSTRAINT resources_mount_status_check CHECK (mount_status = '已挂接' OR mount_status = '未挂接')
);
CREATE INDEX resources_provider_code_idx ON resources (provider_code);
CREATE INDEX resources_catalog_file_idx ON resources (catalog_file);

CREATE TABLE resource_keywords (  -- 关键字
    resource_code VARCHAR(16) NOT NULL,  -- 信息资源代码
    position INTEGER NOT NULL,  -- 序号
    keyword TEXT NOT NULL,  -- 关键字
    CONSTRAINT resource_keywords_pkey PRIMARY KEY (resource_code, position),
    CONSTRAINT resource_keywords_resource_code_fkey FOREIGN KEY (resource_code) REFERENCES resources (code) ON DELETE CASCADE,
    CONSTRAINT resource_keywords_position_check CHECK (position >= 1)
);

CREATE TABLE resource_relations (  -- 关联资源代码
    resource_code VARCHAR(16) NOT NULL,  -- 信息资源代码
    related_code VARCHAR(16) NOT NULL,  -- 关联资源代码
    CONSTRAINT resource_relations_pkey PRIMARY KEY (resource_code, related_code),
    CONSTRAINT resource_relations_resource_code_fkey FOREIGN KEY (resource_code) REFERENCES resources (code) ON DELETE CASCADE,
    CONSTRAINT resource_relations_related_code_fkey FOREIGN KEY (related_code) REFERENCES resources (code) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX resource_relations_related_code_idx ON resource_relations (related_code);

CREATE TABLE items (  -- 信息项
    resource_code VARCHAR(16) NOT NULL,  -- 信息资源代码
    position INTEGER NOT NULL,  -- 序号
    name TEXT NOT NULL,  -- 信息项名称
    element_id VARCHAR(7),  -- 关联数据元
    data_type VARCHAR(1) NOT NULL,  -- 数据类型
    length INTEGER,  -- 数据长度
    precision INTEGER,  -- 小数位数
    is_key BOOLEAN NOT NULL DEFAULT 0,  -- 是否主键
    sensitive BOOLEAN,  -- 敏感属性
    description TEXT,  -- 说明
    CONSTRAINT items_pkey PRIMARY KEY (resource_code, position),
    CONSTRAINT items_resource_code_name_key UNIQUE (resource_code, name),
    CONSTRAINT items_resource_code_fkey FOREIGN KEY (resource_code) REFERENCES resources (code) ON DELETE CASCADE,
    CONSTRAINT items_element_id_fkey FOREIGN KEY (element_id) REFERENCES data_elements (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT items_position_check CHECK (position >= 1),
    CONSTRAINT items_data_type_check CHECK (data_type = 'C' OR data_type = 'N' OR data_type = 'Y' OR data_type = 'D' OR data_type = 'T' OR data_type = 'L' OR data_type = 'M' OR data_type = 'G' OR data_type = 'B' OR data_type = 'I' OR data_type = 'F'),
    CONSTRAINT items_length_check CHECK (length >= 1),
    CONSTRAINT items_precision_check CHECK (precision >= 0),
    CONSTRAINT items_is_key_check CHECK (is_key = 0 OR is_key = 1),
    CONSTRAINT items_sensitive_check CHECK (sensitive = 0 OR sensitive = 1)
);
CREATE INDEX items_element_id_idx ON items (element_id);

CREATE TABLE catalog_files (  -- 已装入的目录文件（增量装入：内容未变的文件不重写）
    catalog_file VARCHAR(1024) NOT NULL,  -- 目录文件（相对提供方名录所在目录）
    provider_code VARCHAR(18),  -- 提供方代码
    digest VARCHAR(40) NOT NULL,  -- 文件内容与装入格式的摘要（BLAKE2b）
    CONSTRAINT catalog_files_pkey PRIMARY KEY (catalog_file)
);

CREATE TABLE metric_snapshots (  -- 合规指标快照（每次装入记录一次：判定日期、提交、部门）
    as_of DATE NOT NULL,  -- 判定日期
    git_commit VARCHAR(64) NOT NULL,  -- 目录仓库的 git 提交（不在 git 仓库中时为空字符串）
    provider_code VARCHAR(18) NOT NULL,  -- 提供方代码
    department_name TEXT NOT NULL,  -- 部门名称（快照时）
    resources INTEGER NOT NULL,  -- 信息资源数
    items INTEGER NOT NULL,  -- 信息项数
    mapping_numerator INTEGER NOT NULL,  -- 数据元映射率的分子
    mapping_denominator INTEGER NOT NULL,  -- 数据元映射率的分母
    mount_numerator INTEGER NOT NULL,  -- 挂接率的分子
    mount_denominator INTEGER NOT NULL,  -- 挂接率的分母
    sharing_numerator INTEGER NOT NULL,  -- 共享率的分子
    sharing_denominator INTEGER NOT NULL,  -- 共享率的分母
    opening_numerator INTEGER NOT NULL,  -- 开放率的分子
    opening_denominator INTEGER NOT NULL,  -- 开放率的分母
    timeliness_numerator INTEGER NOT NULL,  -- 更新及时率的分子
    timeliness_denominator INTEGER NOT NULL,  -- 更新及时率的分母
    errors INTEGER NOT NULL,  -- 错误数
    warnings INTEGER NOT NULL,  -- 警告数
    infos INTEGER NOT NULL,  -- 提示数
    data_quality REAL,  -- 数据质量（govcat data check 记录的得分均值，0–1；未检查为空）
    recorded_at TEXT NOT NULL,  -- 记录时间（UTC）
    CONSTRAINT metric_snapshots_pkey PRIMARY KEY (as_of, git_commit, provider_code),
    CONSTRAINT metric_snapshots_as_of_check CHECK (as_of IS date(as_of, '+0 days')),
    CONSTRAINT metric_snapshots_resources_check CHECK (resources >= 0),
    CONSTRAINT metric_snapshots_items_check CHECK (items >= 0),
    CONSTRAINT metric_snapshots_mapping_numerator_check CHECK (mapping_numerator >= 0),
    CONSTRAINT metric_snapshots_mapping_denominator_check CHECK (mapping_denominator >= 0),
    CONSTRAINT metric_snapshots_mount_numerator_check CHECK (mount_numerator >= 0),
    CONSTRAINT metric_snapshots_mount_denominator_check CHECK (mount_denominator >= 0),
    CONSTRAINT metric_snapshots_sharing_numerator_check CHECK (sharing_numerator >= 0),
    CONSTRAINT metric_snapshots_sharing_denominator_check CHECK (sharing_denominator >= 0),
    CONSTRAINT metric_snapshots_opening_numerator_check CHECK (opening_numerator >= 0),
    CONSTRAINT metric_snapshots_opening_denominator_check CHECK (opening_denominator >= 0),
    CONSTRAINT metric_snapshots_timeliness_numerator_check CHECK (timeliness_numerator >= 0),
    CONSTRAINT metric_snapshots_timeliness_denominator_check CHECK (timeliness_denominator >= 0),
    CONSTRAINT metric_snapshots_errors_check CHECK (errors >= 0),
    CONSTRAINT metric_snapshots_warnings_check CHECK (warnings >= 0),
    CONSTRAINT metric_snapshots_infos_check CHECK (infos >= 0)
);
CREATE INDEX metric_snapshots_provider_code_as_of_idx ON metric_snapshots (provider_code, as_of);

INSERT INTO govcat_meta (key, value) VALUES
    ('schema_version', '9493593a63c0'),
    ('standard_version', '1.0.0');
